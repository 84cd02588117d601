package io.shmbus.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of {@code scripts/bench ipc}, {@code replay} and {@code all}: shapes, sizes, counts and parts. */
class BenchOptionsTest
{
    @Test
    void defaultShapesAndSizes()
    {
        final BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(List.of("1x1", "2x1", "4x1", "1x4", "1x1/yield"), o.shapes.stream().map(IpcShape::id).toList());
        assertEquals(List.of(32, 256, 1024, 4096, 16384, 65536), o.sizesOf(o.shapes.get(0)));
        assertEquals(List.of(32, 1024, 16384), o.sizesOf(o.shapes.get(1)));
        assertEquals(List.of(32, 4096), BenchOptions.parse(new String[]{"--quick"}).sizesOf(o.shapes.get(1)));
        assertEquals(3, o.runs);
        assertTrue(o.plots);
    }

    @Test
    void shapesParseWithTheirIdleStrategy()
    {
        final BenchOptions o = BenchOptions.parse(new String[]{"--idle", "no-op", "--shapes", "2x1,1x4/yield"});
        assertEquals(new IpcShape(2, 1, "no-op"), o.shapes.get(0));
        assertEquals(new IpcShape(1, 4, "yield"), o.shapes.get(1));
        assertEquals("2x1/no-op", o.shapes.get(0).id());
        assertEquals("1 → 4 (yield)", o.shapes.get(1).label());
        assertEquals("1x1", IpcShape.parse("1x1", "busy-spin").id());
    }

    @Test
    void badShapesAreRefusedWithAMessage()
    {
        for (final String bad : new String[]{"0x1", "2x", "x1", "21", "1x1/sleep", "17x1", "1x1,1x1"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(new String[]{"--shapes", bad}), bad);
            assertFalse(ex.getMessage().isEmpty(), bad);
        }
    }

    @Test
    void exclusiveSystemsRunWithOneProducerOnly()
    {
        final IpcShape many = new IpcShape(4, 1, "busy-spin");
        assertFalse(many.runs(BenchSystem.AERON_EXCLUSIVE));
        assertFalse(many.runs(BenchSystem.SHMBUS_EXCLUSIVE));
        assertTrue(many.runs(BenchSystem.AERON_CONCURRENT));
        assertTrue(many.runs(BenchSystem.SHMBUS));
        assertFalse(many.runs(BenchSystem.RAW_SHM));
        final IpcShape fanOut = new IpcShape(1, 4, "busy-spin");
        for (final BenchSystem system : List.of(BenchSystem.SHMBUS, BenchSystem.SHMBUS_EXCLUSIVE,
            BenchSystem.AERON_EXCLUSIVE, BenchSystem.AERON_CONCURRENT))
        {
            assertTrue(fanOut.runs(system), system.id());
        }
    }

    @Test
    void eachShmbusProducerKindHasTheAeronPublicationOfItsKind()
    {
        assertEquals(BenchSystem.AERON_CONCURRENT, BenchSystem.SHMBUS.aeronCounterpart());
        assertEquals(BenchSystem.AERON_EXCLUSIVE, BenchSystem.SHMBUS_EXCLUSIVE.aeronCounterpart());
        assertEquals("shmbus-exclusive÷aeron-exclusive", BenchSystem.SHMBUS_EXCLUSIVE.ratioId());
        assertEquals("shmbus ÷ Aeron IPC concurrent", BenchSystem.SHMBUS.ratioLabel());
        assertTrue(BenchSystem.SHMBUS_EXCLUSIVE.isShmbus());
        assertFalse(BenchSystem.RAW_SHM.isShmbus());
    }

    @Test
    void systemsParseByTheirIds()
    {
        assertEquals(Set.of(BenchSystem.SHMBUS_EXCLUSIVE, BenchSystem.AERON_EXCLUSIVE),
            BenchOptions.parse(new String[]{"--systems", "shmbus-exclusive, aeron-exclusive"}).systems);
        assertEquals(Set.of(BenchSystem.values()), BenchOptions.parse(new String[0]).systems);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchOptions.parse(new String[]{"--systems", "shmbus-exclusiv"}));
        assertEquals("unknown system 'shmbus-exclusiv': use shmbus, shmbus-exclusive, aeron-exclusive, " +
            "aeron-concurrent, raw-shm", ex.getMessage());
    }

    @Test
    void plannedRunsCountEverySystemInTheShapesItRunsIn()
    {
        final BenchOptions quick = BenchOptions.parse(new String[]{"--quick"});
        // 1x1, 1x4 and 1x1/yield: 4 systems, 2x1 and 4x1: 2 (neither exclusive); 1x1 at --sizes, the others at 2
        // sizes; the ping-pong: the floor, both shmbus producers and Aeron exclusive: 52 runs of about 4 s
        final int firstSizes = quick.sizesOf(quick.shapes.get(0)).size();
        assertEquals(4 * firstSizes + (2 + 2 + 4 + 4) * 2 + 4, IpcBenchmark.plannedRuns(quick));
        final BenchOptions shared = BenchOptions.parse(new String[]{"--quick", "--systems",
            "shmbus,aeron-concurrent", "--shapes", "1x1,2x1", "--tests", "throughput", "--runs", "2"});
        assertEquals((2 * shared.sizes.size() + 2 * 2) * 2, IpcBenchmark.plannedRuns(shared));
    }

    @Test
    void messageCountsScaleWithSizeAndProcesses()
    {
        final BenchOptions o = BenchOptions.parse(new String[0]);
        final IpcShape one = o.shapes.get(0);
        final IpcShape fourConsumers = new IpcShape(1, 4, "busy-spin");
        assertEquals(20_000_000, o.messagesAt(one, 32));
        assertEquals(80_000, o.messagesAt(one, 65536));
        assertEquals(5_000_000, o.messagesAt(fourConsumers, 32), "a shape of 5 processes moves a quarter");
        assertEquals(1_250_000, o.warmupAt(fourConsumers, 32));
        assertEquals(2_000_000, BenchOptions.parse(new String[]{"--quick"}).messagesAt(one, 32));

        final BenchOptions given = BenchOptions.parse(new String[]{"--sizes", "64,128", "--messages", "30k,40k"});
        assertEquals(40_000, given.messagesAt(fourConsumers, 128), "--messages is taken as given for every shape");
        assertEquals(300_000, given.messagesAt(one, 16384), "a shape size not in --sizes gets the default");
    }

    @Test
    void replayQuickIsOneSmallRound()
    {
        final ReplayBenchOptions quick = ReplayBenchOptions.parse(new String[]{"--quick"});
        assertEquals(1, quick.runs);
        assertEquals(256, quick.sizeMiB);
        final ReplayBenchOptions full = ReplayBenchOptions.parse(new String[]{"--quick", "--runs", "2", "--no-plots"});
        assertEquals(2, full.runs);
        assertFalse(full.plots);
        assertEquals(1024, ReplayBenchOptions.parse(new String[0]).sizeMiB);
    }

    @Test
    void suitePartsAndTheArgumentsEachPartGets()
    {
        final SuiteOptions o = SuiteOptions.parse(new String[]{"--quick", "--parts", "replay,ipc", "--runs", "2",
            "--no-plots"});
        assertEquals(Set.of(SuiteOptions.Part.IPC, SuiteOptions.Part.REPLAY), o.parts);
        assertEquals(List.of("--quick", "--runs", "2", "--no-plots", "--out", "x/ipc.md"),
            o.partArgs(SuiteOptions.Part.IPC, Paths.get("x", "ipc.md")));
        assertEquals(List.of("--out", "r.md"), SuiteOptions.parse(new String[0]).partArgs(SuiteOptions.Part.PERSIST,
            Paths.get("r.md")));
        assertEquals(Set.of(SuiteOptions.Part.PERSIST_YIELD), SuiteOptions.parse(new String[]{"--parts",
            "persist-yield"}).parts);
        assertEquals(4, SuiteOptions.parse(new String[0]).parts.size());
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(new String[]{"--parts", "soak"}));
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(new String[]{"--runs", "0"}));
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(new String[]{"--fast"}));
    }

    @Test
    void everyPartAcceptsWhatTheSuiteGivesIt()
    {
        final SuiteOptions o = SuiteOptions.parse(new String[]{"--quick", "--runs", "2", "--no-plots", "--verbose"});
        final Path out = Paths.get("out.md");
        assertEquals(2, BenchOptions.parse(o.partArgs(SuiteOptions.Part.IPC, out).toArray(new String[0])).runs);
        assertEquals(2, PersistOptions.parse(o.partArgs(SuiteOptions.Part.PERSIST, out).toArray(new String[0])).runs);
        final PersistOptions yielding = PersistOptions.parse(o.partArgs(SuiteOptions.Part.PERSIST_YIELD, out)
            .toArray(new String[0]));
        assertEquals("yield", yielding.idle);
        assertEquals(2, yielding.runs);
        assertEquals(2, ReplayBenchOptions.parse(o.partArgs(SuiteOptions.Part.REPLAY, out).toArray(new String[0]))
            .runs);
    }
}
