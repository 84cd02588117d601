package io.shmbus.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Child role {@code replay-receiver}: the receiving end of every replay run. Listens on a loopback port, {@code port}
 * or an ephemeral one ({@code READY port=P}), then for each connection reads and discards everything into one large direct buffer and
 * prints {@code RESULT bytes=N nanos=T}, T from the accept to the end of the stream. Runs until the parent says stop.
 */
final class ReplayReceiverRole
{
    private ReplayReceiverRole()
    {
    }

    static void run(final ChildArgs args) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect((int)args.size("buffer"));
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args.get("port", "0"))),
                4);
            BenchChild.ready("port=" + ((InetSocketAddress)server.getLocalAddress()).getPort());
            while (!BenchChild.stopRequested())
            {
                try (SocketChannel socket = server.accept())
                {
                    final long startNs = System.nanoTime();
                    long bytes = 0;
                    int read;
                    while ((read = socket.read(buffer)) >= 0)
                    {
                        bytes += read;
                        buffer.clear();
                    }
                    BenchChild.result("bytes=" + bytes + " nanos=" + (System.nanoTime() - startNs));
                }
            }
        }
    }
}
