package io.shmbus.client.cnc;

import io.shmbus.client.LogVersionMismatchException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Layout of the command-and-control file {@code cnc.dat} that the broker creates in its shared-memory directory.
 * <pre>
 *  offset  field
 *  0       int   version                   written last: 0 means the broker is still starting
 *  4       int   magic                     'SHMC'
 *  8       int   toBrokerBufferLength      many-to-one ring of client commands, trailer included
 *  12      int   toClientsBufferLength     broadcast of broker responses, trailer included
 *  16      int   countersMetadataLength
 *  20      int   countersValuesLength
 *  24      long  brokerPid
 *  32      long  startTimestampMs
 *  40      long  clientLivenessTimeoutNs   clients must send keepalives well within this
 *  48      long  brokerHeartbeatMs         epoch ms, refreshed by the broker while it runs
 *  56      long  unblockTimeoutNs
 *  64      int   errorLogLength            bytes of the distinct-error log (version 3 on)
 *  68..127 reserved
 *  128     to-broker ring buffer
 *  ...     to-clients broadcast buffer
 *  ...     counters metadata
 *  ...     counters values
 *  ...     distinct-error log              Agrona DistinctErrorLog records: each error once, with its count
 * </pre>
 * Each region starts where the one before ends; every length is a multiple of 64, so each region is aligned.
 * The error log stays readable after the broker dies (the file is left behind until the next broker takes it
 * over), which is what {@code shmbus errors} reads.
 */
public final class CncDescriptor
{
    public static final String FILE_NAME = "cnc.dat";
    /** 3: the distinct-error log region after the counters (its length at {@link #ERROR_LOG_LENGTH_OFFSET}). */
    public static final int VERSION = 3;
    public static final int MAGIC = 0x434D4853; // "SHMC" little-endian

    public static final int VERSION_OFFSET = 0;
    public static final int MAGIC_OFFSET = VERSION_OFFSET + 4;
    public static final int TO_BROKER_BUFFER_LENGTH_OFFSET = MAGIC_OFFSET + 4;
    public static final int TO_CLIENTS_BUFFER_LENGTH_OFFSET = TO_BROKER_BUFFER_LENGTH_OFFSET + 4;
    public static final int COUNTERS_METADATA_LENGTH_OFFSET = TO_CLIENTS_BUFFER_LENGTH_OFFSET + 4;
    public static final int COUNTERS_VALUES_LENGTH_OFFSET = COUNTERS_METADATA_LENGTH_OFFSET + 4;
    public static final int BROKER_PID_OFFSET = COUNTERS_VALUES_LENGTH_OFFSET + 4;
    public static final int START_TIMESTAMP_OFFSET = BROKER_PID_OFFSET + 8;
    public static final int CLIENT_LIVENESS_TIMEOUT_OFFSET = START_TIMESTAMP_OFFSET + 8;
    public static final int BROKER_HEARTBEAT_OFFSET = CLIENT_LIVENESS_TIMEOUT_OFFSET + 8;
    public static final int UNBLOCK_TIMEOUT_OFFSET = BROKER_HEARTBEAT_OFFSET + 8;
    public static final int ERROR_LOG_LENGTH_OFFSET = UNBLOCK_TIMEOUT_OFFSET + 8;
    public static final int HEADER_LENGTH = 128;

    public static final int TO_BROKER_CAPACITY = 256 * 1024;
    public static final int TO_CLIENTS_CAPACITY = 1024 * 1024;
    /**
     * Room for 8192 counters: a topic takes at most 16 and one per consumer, so several hundred topics fit (a
     * topic the broker has no room for is refused with a clear error, never half made).
     */
    public static final int COUNTERS_VALUES_LENGTH = 1024 * 1024;
    /** Agrona keeps 4 metadata bytes per value byte (512 per counter against 128). */
    public static final int COUNTERS_METADATA_LENGTH = COUNTERS_VALUES_LENGTH * 4;

    /** The distinct-error log's default length: thousands of distinct errors with their stack traces. */
    public static final int ERROR_LOG_DEFAULT_LENGTH = 1024 * 1024;
    public static final int ERROR_LOG_MIN_LENGTH = 64 * 1024;
    public static final int ERROR_LOG_MAX_LENGTH = 256 * 1024 * 1024;

    public static final int TO_BROKER_BUFFER_LENGTH = TO_BROKER_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    public static final int TO_CLIENTS_BUFFER_LENGTH =
        TO_CLIENTS_CAPACITY + BroadcastBufferDescriptor.TRAILER_LENGTH;

    private CncDescriptor()
    {
    }

    public static int toBrokerOffset()
    {
        return HEADER_LENGTH;
    }

    public static int toClientsOffset(final UnsafeBuffer header)
    {
        return toBrokerOffset() + header.getInt(TO_BROKER_BUFFER_LENGTH_OFFSET);
    }

    public static int countersMetadataOffset(final UnsafeBuffer header)
    {
        return toClientsOffset(header) + header.getInt(TO_CLIENTS_BUFFER_LENGTH_OFFSET);
    }

    public static int countersValuesOffset(final UnsafeBuffer header)
    {
        return countersMetadataOffset(header) + header.getInt(COUNTERS_METADATA_LENGTH_OFFSET);
    }

    public static long errorLogOffset(final UnsafeBuffer header)
    {
        return (long)countersValuesOffset(header) + header.getInt(COUNTERS_VALUES_LENGTH_OFFSET);
    }

    public static long fileLength(final UnsafeBuffer header)
    {
        return errorLogOffset(header) + header.getInt(ERROR_LOG_LENGTH_OFFSET);
    }

    /** Length of a file with the default buffer sizes and an error log of that length. */
    public static long fileLength(final int errorLogLength)
    {
        return (long)HEADER_LENGTH + TO_BROKER_BUFFER_LENGTH + TO_CLIENTS_BUFFER_LENGTH +
            COUNTERS_METADATA_LENGTH + COUNTERS_VALUES_LENGTH + errorLogLength;
    }

    /** Length of a file with the default buffer sizes and the default error log length. */
    public static long defaultFileLength()
    {
        return fileLength(ERROR_LOG_DEFAULT_LENGTH);
    }

    /**
     * @throws IllegalArgumentException unless the length is a multiple of 64 from {@link #ERROR_LOG_MIN_LENGTH} to
     *                                  {@link #ERROR_LOG_MAX_LENGTH}.
     */
    public static void checkErrorLogLength(final long length)
    {
        if (length < ERROR_LOG_MIN_LENGTH || length > ERROR_LOG_MAX_LENGTH || 0 != (length & 63))
        {
            throw new IllegalArgumentException("error log length must be a multiple of 64 from 64k to 256m: " +
                length);
        }
    }

    /** Fills the header of a new file; the version is written last by {@link #signalReady(UnsafeBuffer)}. */
    public static void fillHeader(
        final UnsafeBuffer header,
        final long pid,
        final long clientLivenessTimeoutNs,
        final long unblockTimeoutNs,
        final int errorLogLength)
    {
        checkErrorLogLength(errorLogLength);
        header.putInt(MAGIC_OFFSET, MAGIC);
        header.putInt(TO_BROKER_BUFFER_LENGTH_OFFSET, TO_BROKER_BUFFER_LENGTH);
        header.putInt(TO_CLIENTS_BUFFER_LENGTH_OFFSET, TO_CLIENTS_BUFFER_LENGTH);
        header.putInt(COUNTERS_METADATA_LENGTH_OFFSET, COUNTERS_METADATA_LENGTH);
        header.putInt(COUNTERS_VALUES_LENGTH_OFFSET, COUNTERS_VALUES_LENGTH);
        header.putLong(BROKER_PID_OFFSET, pid);
        header.putLong(START_TIMESTAMP_OFFSET, System.currentTimeMillis());
        header.putLong(CLIENT_LIVENESS_TIMEOUT_OFFSET, clientLivenessTimeoutNs);
        header.putLong(BROKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
        header.putLong(UNBLOCK_TIMEOUT_OFFSET, unblockTimeoutNs);
        header.putInt(ERROR_LOG_LENGTH_OFFSET, errorLogLength);
    }

    public static void signalReady(final UnsafeBuffer header)
    {
        header.putIntRelease(VERSION_OFFSET, VERSION);
    }

    /**
     * @throws LogVersionMismatchException naming the file when it is not a CnC file of this version.
     */
    public static void checkVersion(final UnsafeBuffer header, final String fileName)
    {
        final int magic = header.getInt(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new LogVersionMismatchException(fileName + " is not a shmbus command-and-control file");
        }
        final int version = header.getIntVolatile(VERSION_OFFSET);
        if (VERSION != version)
        {
            throw new LogVersionMismatchException(fileName + " has CnC version " + version +
                " but this shmbus uses version " + VERSION + (version < VERSION ? " (an older release" :
                " (a newer release") + " made it" + (2 == version ? ", before the CnC file had an error log" : "") +
                "): stop the processes using it and delete it, or use another directory");
        }
    }
}
