package io.shmbus.client;

import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The background thread of a {@link ShmBus}: reads the broker's responses and completes pending requests, sends
 * keepalives, and notices when the broker dies or stops heart-beating. Owns the broadcast receiver. Allocates
 * nothing while no request is pending and the broker lives.
 */
final class ClientConductor implements Runnable
{
    /** A broker answer, copied out of the broadcast buffer. */
    static final class Response
    {
        long registrationId;
        long position;
        int slot;
        int errorCode;
        long replayPosition = -1;
        int flags;
        String message;
    }

    /** While a request waits for its answer. */
    private static final long BUSY_IDLE_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * Otherwise: a thread that woke every millisecond would preempt the application's busy-spinning threads a
     * thousand times a second on a small machine, and show in their latency tail.
     */
    private static final long QUIET_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long LIVENESS_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ShmBus bus;
    private final CncFile cnc;
    private final ShmBus.Context ctx;
    private final ConcurrentHashMap<Long, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    /** The parts of multi-part answers (ON_TOPIC_INFO) received so far, by correlation id; this thread only. */
    private final java.util.HashMap<Long, StringBuilder> partial = new java.util.HashMap<>();
    private final ResponseFlyweight response = new ResponseFlyweight();
    private final MessageHandler responseHandler = this::onResponse;
    private final Thread thread;
    private CopyBroadcastReceiver receiver;
    private volatile boolean running = true;

    ClientConductor(final ShmBus bus, final CncFile cnc, final ShmBus.Context ctx)
    {
        this.bus = bus;
        this.cnc = cnc;
        this.ctx = ctx;
        this.receiver = new CopyBroadcastReceiver(new BroadcastReceiver(cnc.toClients()));
        this.thread = new Thread(this, "shmbus-client-conductor");
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    void stop()
    {
        running = false;
        if (Thread.currentThread() != thread)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    CompletableFuture<Response> expect(final long correlationId)
    {
        final CompletableFuture<Response> future = new CompletableFuture<>();
        pending.put(correlationId, future);
        LockSupport.unpark(thread);
        return future;
    }

    void forget(final long correlationId)
    {
        pending.remove(correlationId);
    }

    /**
     * @return why the broker behind this CnC file cannot serve, or null when it is alive.
     */
    static String brokerProblem(final CncFile cnc, final long brokerTimeoutMs)
    {
        if (!cnc.isBrokerProcessAlive())
        {
            return "the broker (pid " + cnc.brokerPid() + ") of " + cnc.file().getParent() + " is not running";
        }
        final long heartbeatMs = cnc.brokerHeartbeatMs();
        if (0 == heartbeatMs)
        {
            return "the broker (pid " + cnc.brokerPid() + ") of " + cnc.file().getParent() + " is not running " +
                "(it was stopped)";
        }
        final long silentMs = System.currentTimeMillis() - heartbeatMs;
        if (silentMs > brokerTimeoutMs)
        {
            return "the broker (pid " + cnc.brokerPid() + ") of " + cnc.file().getParent() +
                " has not sent a heartbeat for " + silentMs + " ms (timeout " + brokerTimeoutMs + " ms)";
        }
        return null;
    }

    public void run()
    {
        long nextKeepaliveNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.keepaliveIntervalMs());
        long nextLivenessCheckNs = System.nanoTime() + LIVENESS_CHECK_NS;
        while (running)
        {
            int work = 0;
            try
            {
                work = receiver.receive(responseHandler);
            }
            catch (final IllegalStateException lapped)
            {
                // fell a whole broadcast buffer behind: start again at the latest; pending requests time out
                receiver = new CopyBroadcastReceiver(new BroadcastReceiver(cnc.toClients()));
            }

            final long nowNs = System.nanoTime();
            if (nowNs - nextLivenessCheckNs >= 0)
            {
                nextLivenessCheckNs = nowNs + LIVENESS_CHECK_NS;
                final String problem = brokerProblem(cnc, ctx.brokerTimeoutMs());
                if (null != problem)
                {
                    failPending(problem);
                    bus.onBrokerUnavailable(problem);
                    return;
                }
            }
            if (nowNs - nextKeepaliveNs >= 0)
            {
                nextKeepaliveNs = nowNs + TimeUnit.MILLISECONDS.toNanos(ctx.keepaliveIntervalMs());
                try
                {
                    bus.sendKeepalive();
                }
                catch (final ShmbusException ex)
                {
                    ctx.errorHandler().onError(ex);
                }
            }
            if (0 == work)
            {
                LockSupport.parkNanos(pending.isEmpty() ? QUIET_IDLE_NS : BUSY_IDLE_NS);
            }
        }
    }

    private void failPending(final String reason)
    {
        pending.values().forEach(f -> f.completeExceptionally(new BrokerUnavailableException(reason)));
    }

    private void onResponse(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ResponseFlyweight.MESSAGE_OFFSET)
        {
            return;
        }
        response.wrapForRead(buffer, offset);
        if (ControlProtocol.ON_CLIENT_TIMEOUT == type)
        {
            if (response.registrationId() == bus.clientId())
            {
                final String reason = "the broker declared this client dead (no keepalive within its timeout)";
                failPending(reason);
                bus.onBrokerUnavailable(reason);
                running = false;
            }
            return;
        }
        if (ControlProtocol.ON_TOPIC_INFO == type && 0 != (response.flags() & ResponseFlyweight.FLAG_MORE))
        {
            if (pending.containsKey(response.correlationId()))
            {
                partial.computeIfAbsent(response.correlationId(), id -> new StringBuilder())
                    .append(response.message());
            }
            return;
        }
        final StringBuilder parts = ControlProtocol.ON_TOPIC_INFO == type ? partial.remove(response.correlationId()) :
            null;
        final CompletableFuture<Response> future = pending.remove(response.correlationId());
        if (null == future)
        {
            return; // another client's answer
        }
        final Response copy = new Response();
        copy.registrationId = response.registrationId();
        copy.position = response.position();
        copy.slot = response.slot();
        if (ControlProtocol.ON_ERROR == type)
        {
            copy.errorCode = response.errorCode();
            copy.message = response.message();
        }
        else if (ControlProtocol.ON_CONSUMER_READY == type)
        {
            copy.replayPosition = response.replayPosition();
            copy.flags = response.flags();
            copy.message = response.message(); // the archive directory of a persistent topic, else empty
        }
        else if (ControlProtocol.ON_TOPIC_INFO == type)
        {
            copy.message = null == parts ? response.message() : parts.append(response.message()).toString();
        }
        else if (ControlProtocol.ON_OPERATION_SUCCESS == type)
        {
            copy.message = response.message(); // what a DELETE_TOPIC deleted; empty for the others
        }
        future.complete(copy);
    }
}
