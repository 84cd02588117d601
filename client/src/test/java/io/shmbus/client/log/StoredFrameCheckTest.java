package io.shmbus.client.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.shmbus.client.log.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class StoredFrameCheckTest
{
    private final UnsafeBuffer header = new UnsafeBuffer(new byte[HEADER_LENGTH]);

    private String check(final int length, final long available)
    {
        header.putLong(0, commitWord(length, TYPE_DATA, (byte)0));
        header.putLong(POSITION_OFFSET, 4096);
        return StoredFrameCheck.problem(header, 0, 4096, available, 1024 + HEADER_LENGTH);
    }

    @Test
    void soundFrame()
    {
        assertNull(check(100, 128));
        assertNull(check(HEADER_LENGTH, HEADER_LENGTH));
        assertNull(check(1024 + HEADER_LENGTH, 1 << 20));
    }

    @Test
    void lengthsAreCheckedBeforeAnyArithmetic()
    {
        assertEquals("no frame (zero length)", check(0, 1 << 20));
        assertTrue(check(-100, 1 << 20).contains("never committed"));
        assertTrue(check(Integer.MIN_VALUE, 1 << 20).contains("never committed"));
        assertEquals("bad frame length 31", check(31, 1 << 20));
        assertTrue(check(Integer.MAX_VALUE, Long.MAX_VALUE).contains("larger than the largest frame"));
        assertTrue(check(1024 + HEADER_LENGTH + 1, Long.MAX_VALUE).contains("larger than the largest frame"));
        assertTrue(check(100, 127).contains("runs past the end"));
        assertTrue(check(100, 16).contains("truncated frame header (16 bytes)"));
        assertTrue(check(100, -5).contains("truncated frame header (0 bytes)"));
        assertEquals(0x8000_0000L, StoredFrameCheck.alignedLength(Integer.MAX_VALUE));
        header.putInt(0, Integer.MAX_VALUE);
        assertTrue(StoredFrameCheck.problem(header, 0, 4096, Long.MAX_VALUE, StoredFrameCheck.MAX_FRAME_LENGTH)
            .contains("larger"));
    }

    @Test
    void typeVersionAndPosition()
    {
        assertNull(check(100, 128));
        header.putShort(TYPE_OFFSET, (short)9);
        assertEquals("unknown frame type 9", StoredFrameCheck.problem(header, 0, 4096, 128, 2048));
        header.putShort(TYPE_OFFSET, TYPE_DATA);
        header.putByte(VERSION_OFFSET, (byte)7);
        assertEquals("unknown frame version 7", StoredFrameCheck.problem(header, 0, 4096, 128, 2048));
        header.putByte(VERSION_OFFSET, CURRENT_VERSION);
        assertEquals("frame says position 4096 but sits at 4128",
            StoredFrameCheck.problem(header, 0, 4128, 128, 2048));
    }
}
