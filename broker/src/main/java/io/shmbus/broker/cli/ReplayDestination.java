package io.shmbus.broker.cli;

import io.shmbus.client.ShmbusException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code shmbus replay} sends its bytes: a file ({@code --out}), a listener it connects to
 * ({@code --connect HOST:PORT}) or the first peer that connects to it ({@code --listen PORT}). Sockets carry the
 * plain replayed bytes, no handshake, so {@code nc -l PORT > file} is a valid receiver. All channels are blocking.
 * <p>
 * Not thread-safe: opened, written and closed by the command's thread.
 */
final class ReplayDestination implements AutoCloseable
{
    static final String OPTIONS_HELP =
        "  --out FILE         write to FILE\n" +
        "  --connect H:P      connect to HOST:PORT and send the range there, then close\n" +
        "  --listen PORT      accept one connection on PORT (0: any free port, printed on stderr), send, close\n" +
        "  --bind ADDR        the address --listen binds to (default 127.0.0.1)\n";

    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final Path file;
    private final InetSocketAddress address;
    private final boolean listen;
    private WritableByteChannel channel;
    private String description;

    private ReplayDestination(final Path file, final InetSocketAddress address, final boolean listen)
    {
        this.file = file;
        this.address = address;
        this.listen = listen;
        this.description = null != file ? file.toString() : address.getHostString() + ":" + address.getPort();
    }

    /**
     * @throws UsageException unless exactly one of --out, --connect and --listen is given, well formed.
     */
    static ReplayDestination parse(final Args args, final String command)
    {
        final int given = (args.has("--out") ? 1 : 0) + (args.has("--connect") ? 1 : 0) +
            (args.has("--listen") ? 1 : 0);
        if (1 != given)
        {
            throw new UsageException(command, "give exactly one of --out FILE, --connect HOST:PORT, --listen PORT");
        }
        if (args.has("--bind") && !args.has("--listen"))
        {
            throw new UsageException(command, "--bind only goes with --listen");
        }
        if (args.has("--out"))
        {
            return new ReplayDestination(Paths.get(args.require("--out")), null, false);
        }
        if (args.has("--listen"))
        {
            final int port = port(command, "--listen", args.require("--listen"), true);
            return new ReplayDestination(null,
                new InetSocketAddress(args.get("--bind", "127.0.0.1"), port), true);
        }
        final String hostPort = args.require("--connect");
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1)
        {
            throw new UsageException(command, "--connect needs HOST:PORT: '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1); // [::1]:7000
        }
        final int port = port(command, "--connect", hostPort.substring(colon + 1), false);
        return new ReplayDestination(null, InetSocketAddress.createUnresolved(host, port), false);
    }

    private static int port(final String command, final String option, final String value, final boolean zeroOk)
    {
        try
        {
            final int port = Integer.parseInt(value);
            if (port >= (zeroOk ? 0 : 1) && port <= 65535)
            {
                return port;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new UsageException(command, option + " needs a port number " + (zeroOk ? "0" : "1") + "-65535: '" +
            value + "'");
    }

    boolean isSocket()
    {
        return null == file;
    }

    /**
     * Opens the file, connects, or listens and waits for one connection (without a deadline, as {@code nc -l}).
     *
     * @param err where {@code --listen} says the address it listens on.
     * @throws ShmbusException with a message for the user when that fails.
     */
    WritableByteChannel open(final PrintStream err)
    {
        try
        {
            if (null != file)
            {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            }
            else if (listen)
            {
                channel = accept(err);
            }
            else
            {
                channel = connect();
            }
            return channel;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot " + (null != file ? "write " : listen ? "listen on " : "connect to ") +
                description + ": " + reason(ex), ex);
        }
    }

    private SocketChannel connect() throws IOException
    {
        final InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        if (resolved.isUnresolved())
        {
            throw new ShmbusException("cannot connect to " + description + ": unknown host '" +
                address.getHostString() + "'");
        }
        final SocketChannel socket = SocketChannel.open();
        try
        {
            socket.socket().connect(resolved, CONNECT_TIMEOUT_MS);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    private SocketChannel accept(final PrintStream err) throws IOException
    {
        if (address.isUnresolved())
        {
            throw new ShmbusException("cannot listen on " + description + ": unknown address '" +
                address.getHostString() + "'");
        }
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(address, 1);
            final InetSocketAddress bound = (InetSocketAddress)server.getLocalAddress();
            description = bound.getAddress().getHostAddress() + ":" + bound.getPort();
            err.println("shmbus replay: listening on " + description);
            err.flush();
            final SocketChannel socket = server.accept();
            description = description + " (peer " + socket.getRemoteAddress() + ")";
            return socket;
        }
    }

    /** Where the bytes went, for messages. */
    String description()
    {
        return description;
    }

    /**
     * A failure while sending, as a message for the user: a socket error most often means the receiver went away.
     */
    ShmbusException sendFailed(final IOException ex, final long bytesSent)
    {
        final String what = isSocket() ? "send to " : "write ";
        final String hint = isSocket() ? " (the receiver closed the connection or went away)" : "";
        return new ShmbusException("cannot " + what + description + " after " + bytesSent + " bytes: " + reason(ex) +
            hint, ex);
    }

    private static String reason(final IOException ex)
    {
        return null != ex.getMessage() ? ex.getMessage() : ex.getClass().getSimpleName();
    }

    /**
     * Ends the stream cleanly: a socket gets a FIN after the last byte (the receiver sees end of stream), a file is
     * closed.
     */
    void finish() throws IOException
    {
        if (channel instanceof SocketChannel)
        {
            ((SocketChannel)channel).shutdownOutput();
        }
        close();
    }

    public void close() throws IOException
    {
        if (null != channel)
        {
            final WritableByteChannel toClose = channel;
            channel = null;
            toClose.close();
        }
    }
}
