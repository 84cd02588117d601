package io.shmbus.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of {@code scripts/bench mirror}: defaults, {@code --quick}, and the messages for user mistakes. */
class MirrorOptionsTest
{
    @Test
    void defaultsMeasureEveryPartAtSixtyFourBytesAndOneKibibyte()
    {
        final MirrorOptions options = MirrorOptions.parse(new String[0]);
        assertEquals(List.of(64, 1024), options.sizes);
        assertEquals(MirrorOptions.ALL_PARTS, options.parts);
        assertEquals(2_000_000, options.messages(64));
        assertEquals(1_000_000, options.messages(1024));
        assertEquals(100_000, options.latencySamples);
        assertEquals(1024, options.catchUpMiB);
        assertEquals("yield", options.idle);
    }

    @Test
    void quickRunsFewerMessagesAndAQuarterGibibyteCatchUp()
    {
        final MirrorOptions options = MirrorOptions.parse(new String[]{"--quick"});
        assertEquals(300_000, options.messages(1024));
        assertEquals(20_000, options.latencySamples);
        assertEquals(256, options.catchUpMiB);
    }

    @Test
    void explicitValuesWinOverQuick()
    {
        final MirrorOptions options = MirrorOptions.parse(new String[]{"--quick", "--messages", "5000",
            "--catch-up-mib", "16", "--parts", "catch-up,throughput", "--capacity", "1m"});
        assertEquals(5000, options.messages(64));
        assertEquals(16, options.catchUpMiB);
        assertEquals(List.of("catch-up", "throughput"), options.parts);
        assertTrue(options.runs("catch-up") && !options.runs("latency"));
        assertEquals(1L << 20, options.capacity);
    }

    @Test
    void userMistakesSayWhatIsWrong()
    {
        assertEquals("unknown option '--bogus'", message("--bogus"));
        assertTrue(message("--sizes", "8").contains("at least 16 bytes, not 8"), message("--sizes", "8"));
        assertTrue(message("--parts", "latency,speed").contains("unknown part 'speed'"));
        assertTrue(message("--capacity", "lots").contains("--capacity: not a size"));
        assertTrue(message("--rate").contains("--rate"), message("--rate"));
    }

    private static String message(final String... args)
    {
        return assertThrows(IllegalArgumentException.class, () -> MirrorOptions.parse(args)).getMessage();
    }
}
