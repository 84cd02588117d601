package io.shmbus.client.cnc;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static io.shmbus.client.cnc.CncDescriptor.*;

/**
 * The command-and-control file mapped into this process, cut into its regions (see {@link CncDescriptor}).
 * Created by the broker, mapped by clients and tools. Thread-safe to read; {@link #close()} once.
 */
public final class CncFile implements AutoCloseable
{
    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer toBroker;
    private final UnsafeBuffer toClients;
    private final UnsafeBuffer countersMetadata;
    private final UnsafeBuffer countersValues;
    private final UnsafeBuffer errorLog;
    private boolean closed;
    /** The broker's process as last seen alive: later checks of the same pid allocate nothing. */
    private volatile ProcessHandle brokerProcess;

    private CncFile(final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.toBroker = new UnsafeBuffer(mapped, toBrokerOffset(), header.getInt(TO_BROKER_BUFFER_LENGTH_OFFSET));
        this.toClients = new UnsafeBuffer(mapped, toClientsOffset(header),
            header.getInt(TO_CLIENTS_BUFFER_LENGTH_OFFSET));
        this.countersMetadata = new UnsafeBuffer(mapped, countersMetadataOffset(header),
            header.getInt(COUNTERS_METADATA_LENGTH_OFFSET));
        this.countersValues = new UnsafeBuffer(mapped, countersValuesOffset(header),
            header.getInt(COUNTERS_VALUES_LENGTH_OFFSET));
        this.errorLog = new UnsafeBuffer(mapped, (int)errorLogOffset(header), header.getInt(ERROR_LOG_LENGTH_OFFSET));
    }

    public static Path fileIn(final Path dir)
    {
        return dir.resolve(FILE_NAME);
    }

    /**
     * Creates a new CnC file (the caller has made sure no live broker owns the directory) with its header filled
     * but not yet marked ready: call {@link CncDescriptor#signalReady(UnsafeBuffer)} on {@link #header()} once
     * the broker can serve.
     */
    public static CncFile create(
        final Path dir,
        final Set<PosixFilePermission> permissions,
        final long clientLivenessTimeoutNs,
        final long unblockTimeoutNs) throws IOException
    {
        return create(dir, permissions, clientLivenessTimeoutNs, unblockTimeoutNs, ERROR_LOG_DEFAULT_LENGTH);
    }

    /** {@link #create(Path, Set, long, long)} with a distinct-error log of that many bytes. */
    public static CncFile create(
        final Path dir,
        final Set<PosixFilePermission> permissions,
        final long clientLivenessTimeoutNs,
        final long unblockTimeoutNs,
        final int errorLogLength) throws IOException
    {
        checkErrorLogLength(errorLogLength);
        final Path file = fileIn(dir);
        final long length = fileLength(errorLogLength);
        ShmDirectory.deleteQuietly(file);
        ShmDirectory.createPreallocated(file, length, permissions);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            fillHeader(new UnsafeBuffer(mapped, 0, HEADER_LENGTH), ProcessHandle.current().pid(),
                clientLivenessTimeoutNs, unblockTimeoutNs, errorLogLength);
            return new CncFile(file, mapped);
        }
    }

    /**
     * Maps an existing, ready CnC file.
     *
     * @throws NoSuchFileException when there is none.
     * @throws io.shmbus.client.LogVersionMismatchException when it is of another version.
     * @throws ShmbusException when it is not ready or is damaged.
     */
    public static CncFile map(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new ShmbusException(file + " is too short to be a CnC file (" + size + " bytes)");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            try
            {
                if (0 == header.getIntVolatile(VERSION_OFFSET) && MAGIC == header.getInt(MAGIC_OFFSET))
                {
                    final long pid = header.getLong(BROKER_PID_OFFSET);
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    {
                        throw new ShmbusException("no broker is running on " + file.getParent() + ": the broker " +
                            "(pid " + pid + ") that created " + file.getFileName() + " exited before it was ready");
                    }
                    throw new ShmbusException("the broker (pid " + pid + ") owning " + file + " is still starting");
                }
                checkVersion(header, file.toString());
                if (fileLength(header) != size)
                {
                    throw new ShmbusException(file + " is " + size + " bytes but its header says " +
                        fileLength(header) + ": the file is damaged");
                }
            }
            catch (final RuntimeException ex)
            {
                IoUtil.unmap(mapped);
                throw ex;
            }
            return new CncFile(file, mapped);
        }
    }

    public Path file()
    {
        return file;
    }

    public UnsafeBuffer header()
    {
        return header;
    }

    public UnsafeBuffer toBroker()
    {
        return toBroker;
    }

    public UnsafeBuffer toClients()
    {
        return toClients;
    }

    public UnsafeBuffer countersMetadata()
    {
        return countersMetadata;
    }

    public UnsafeBuffer countersValues()
    {
        return countersValues;
    }

    /** The broker's distinct-error log (Agrona {@code DistinctErrorLog} records), read with {@code ErrorLogReader}. */
    public UnsafeBuffer errorLog()
    {
        return errorLog;
    }

    public long brokerPid()
    {
        return header.getLong(BROKER_PID_OFFSET);
    }

    public long brokerHeartbeatMs()
    {
        return header.getLongVolatile(BROKER_HEARTBEAT_OFFSET);
    }

    public void brokerHeartbeatMs(final long epochMs)
    {
        header.putLongRelease(BROKER_HEARTBEAT_OFFSET, epochMs);
    }

    public long clientLivenessTimeoutNs()
    {
        return header.getLong(CLIENT_LIVENESS_TIMEOUT_OFFSET);
    }

    public long startTimestampMs()
    {
        return header.getLong(START_TIMESTAMP_OFFSET);
    }

    /**
     * True while the process named as the broker runs. Any thread; allocates nothing while that process lives (its
     * handle is kept, and the handle also tells a reused pid from the broker).
     */
    public boolean isBrokerProcessAlive()
    {
        final long pid = brokerPid();
        final ProcessHandle known = brokerProcess;
        if (null != known && known.pid() == pid && known.isAlive())
        {
            return true;
        }
        final ProcessHandle current = ProcessHandle.of(pid).orElse(null);
        if (null == current)
        {
            return false;
        }
        brokerProcess = current;
        return current.isAlive();
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
