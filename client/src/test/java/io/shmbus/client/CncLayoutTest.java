package io.shmbus.client;

import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.client.cnc.CncDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Pins the command-and-control file's header byte by byte and where each region starts: tools of other releases and
 * other languages read it.
 */
@Timeout(30)
class CncLayoutTest
{
    @Test
    void headerOffsets()
    {
        assertEquals(0, VERSION_OFFSET);
        assertEquals(4, MAGIC_OFFSET);
        assertEquals(8, TO_BROKER_BUFFER_LENGTH_OFFSET);
        assertEquals(12, TO_CLIENTS_BUFFER_LENGTH_OFFSET);
        assertEquals(16, COUNTERS_METADATA_LENGTH_OFFSET);
        assertEquals(20, COUNTERS_VALUES_LENGTH_OFFSET);
        assertEquals(24, BROKER_PID_OFFSET);
        assertEquals(32, START_TIMESTAMP_OFFSET);
        assertEquals(40, CLIENT_LIVENESS_TIMEOUT_OFFSET);
        assertEquals(48, BROKER_HEARTBEAT_OFFSET);
        assertEquals(56, UNBLOCK_TIMEOUT_OFFSET);
        assertEquals(64, ERROR_LOG_LENGTH_OFFSET);
        assertEquals(128, HEADER_LENGTH);
        assertEquals(3, VERSION);
    }

    @Test
    void createdFileHasTheDocumentedBytesAndRegions() throws IOException
    {
        final Path dir = TestDirs.create("cnc-layout");
        try (CncFile cnc = CncFile.create(dir, ShmDirectory.PRIVATE_FILE, 5_000_000_000L, 10_000_000_000L,
            128 * 1024))
        {
            CncDescriptor.signalReady(cnc.header());
            final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(cnc.file())).order(ByteOrder.LITTLE_ENDIAN);
            final int toBroker = 256 * 1024 + 768;
            final int toClients = 1024 * 1024 + 128;
            final int metadata = 4 * 1024 * 1024;
            final int values = 1024 * 1024; // 8192 counters of 128 bytes
            assertEquals(128 + toBroker + toClients + metadata + values + 128 * 1024, file.capacity());
            assertEquals(3, file.getInt(0));
            assertEquals('S', file.get(4));
            assertEquals('H', file.get(5));
            assertEquals('M', file.get(6));
            assertEquals('C', file.get(7));
            assertEquals(toBroker, file.getInt(8));
            assertEquals(toClients, file.getInt(12));
            assertEquals(metadata, file.getInt(16));
            assertEquals(values, file.getInt(20));
            assertEquals(ProcessHandle.current().pid(), file.getLong(24));
            assertEquals(5_000_000_000L, file.getLong(40));
            assertEquals(10_000_000_000L, file.getLong(56));
            assertEquals(128 * 1024, file.getInt(64));
            for (int i = 68; i < 128; i++)
            {
                assertEquals(0, file.get(i), "reserved byte " + i);
            }
            assertEquals(128 + toBroker + toClients + metadata + values, errorLogOffset(cnc.header()));
            assertEquals(128 * 1024, cnc.errorLog().capacity());
            assertEquals(errorLogOffset(cnc.header()) % 64, 0, "aligned");

            // the region is Agrona's distinct-error log: a record written through the mapping is at its start
            final DistinctErrorLog log = new DistinctErrorLog(cnc.errorLog(), () -> 1_234L);
            assertTrue(log.record(new IllegalStateException("boom")));
            final ByteBuffer after = ByteBuffer.wrap(Files.readAllBytes(cnc.file())).order(ByteOrder.LITTLE_ENDIAN);
            final int record = (int)errorLogOffset(cnc.header());
            assertTrue(after.getInt(record + DistinctErrorLog.LENGTH_OFFSET) > 0, "record length");
            assertEquals(1, after.getInt(record + DistinctErrorLog.OBSERVATION_COUNT_OFFSET));
            assertEquals(1_234L, after.getLong(record + DistinctErrorLog.FIRST_OBSERVATION_TIMESTAMP_OFFSET));
            final List<String> texts = new ArrayList<>();
            ErrorLogReader.read(cnc.errorLog(), (count, first, last, text) -> texts.add(text));
            assertEquals(1, texts.size());
            assertTrue(texts.get(0).startsWith("java.lang.IllegalStateException: boom"), texts.get(0));
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    @Test
    void anErrorLogLengthOutOfRangeIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> checkErrorLogLength(1024));
        assertThrows(IllegalArgumentException.class, () -> checkErrorLogLength(64 * 1024 + 8));
        assertThrows(IllegalArgumentException.class, () -> checkErrorLogLength(512L * 1024 * 1024));
        checkErrorLogLength(ERROR_LOG_DEFAULT_LENGTH);
    }

    @Test
    void aFileOfTheVersionBeforeTheErrorLogGetsAMessageThatSaysSo()
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[HEADER_LENGTH]);
        header.putInt(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, 2);
        final LogVersionMismatchException ex = assertThrows(LogVersionMismatchException.class,
            () -> checkVersion(header, "/dev/shm/x/cnc.dat"));
        assertTrue(ex.getMessage().contains("/dev/shm/x/cnc.dat has CnC version 2 but this shmbus uses version 3"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("older release"), ex.getMessage());
        header.putInt(VERSION_OFFSET, 4);
        assertTrue(assertThrows(LogVersionMismatchException.class, () -> checkVersion(header, "f")).getMessage()
            .contains("newer release"));
    }
}
