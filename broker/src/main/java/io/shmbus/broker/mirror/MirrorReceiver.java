package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.broker.logging.BrokerLogger;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The receiving side of mirroring: one agent per broker, on its own thread, serving every {@code [mirror NAME]}
 * of the configuration (each a {@link MirrorSession}). It writes each mirror's ring through its own mapping and
 * never touches the conductor's state; it meets the conductor only through the {@link MirrorHandOff}.
 * <p>
 * Made on the broker's thread (its counters are allocated then); {@link #doWork()} and {@link #onClose()} run on
 * the mirror thread.
 */
public final class MirrorReceiver implements Agent
{
    public static final String ROLE_NAME = "shmbus-broker-mirror-in";

    private final List<MirrorSession> sessions = new ArrayList<>();
    private final NanoClock nanoClock;

    public MirrorReceiver(
        final Collection<MirrorConfig> mirrors,
        final Path shmDir,
        final Set<PosixFilePermission> filePermissions,
        final Aeron aeron,
        final MirrorHandOff handOff,
        final CountersManager counters,
        final BrokerLogger log,
        final EpochNanoClock epochClock,
        final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        try
        {
            for (final MirrorConfig mirror : mirrors)
            {
                sessions.add(new MirrorSession(mirror, shmDir, filePermissions, aeron, handOff,
                    new MirrorCounters(mirror.topic(), counters), log, epochClock));
            }
        }
        catch (final RuntimeException ex)
        {
            onClose();
            throw ex;
        }
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        int work = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            work += sessions.get(i).doWork(nowNs);
        }
        return work;
    }

    public void onClose()
    {
        sessions.forEach(CloseHelper::quietClose);
        sessions.clear();
    }

    public String roleName()
    {
        return ROLE_NAME;
    }
}
