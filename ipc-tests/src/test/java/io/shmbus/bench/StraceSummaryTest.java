package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link StraceSummary#parse} on tables written by strace 6.1 ({@code strace -f -c -o FILE}).
 */
@Timeout(10)
class StraceSummaryTest
{
    /** strace -f -c -o FILE dd if=/dev/zero of=/dev/null bs=64k count=1000 */
    private static final String DD = String.join("\n",
        "% time     seconds  usecs/call     calls    errors syscall",
        "------ ----------- ----------- --------- --------- ----------------",
        " 52.20    0.004494           4      1003           read",
        " 35.68    0.003072           3      1003           write",
        "  4.91    0.000423         423         1           execve",
        "  2.50    0.000215           6        35        16 openat",
        "  1.92    0.000165           7        21           mmap",
        "  0.88    0.000076           3        22           close",
        "  0.63    0.000054           3        17           newfstatat",
        "  0.37    0.000032          10         3           mprotect",
        "  0.16    0.000014          14         1           munmap",
        "  0.13    0.000011           3         3           brk",
        "  0.09    0.000008           4         2           pread64",
        "  0.08    0.000007           3         2           dup2",
        "  0.07    0.000006           2         3           rt_sigaction",
        "  0.07    0.000006           6         1         1 access",
        "  0.06    0.000005           5         1           prlimit64",
        "  0.05    0.000004           4         1           futex",
        "  0.03    0.000003           3         1           lseek",
        "  0.03    0.000003           3         1           arch_prctl",
        "  0.03    0.000003           3         1           set_tid_address",
        "  0.03    0.000003           3         1           getrandom",
        "  0.03    0.000003           3         1           rseq",
        "  0.02    0.000002           2         1           set_robust_list",
        "------ ----------- ----------- --------- --------- ----------------",
        "100.00    0.008609           4      2125        17 total",
        "");

    @Test
    void countsEveryCallByNameLargestFirst()
    {
        final StraceSummary summary = StraceSummary.parse(DD);
        assertEquals(2125, summary.total());
        assertEquals(22, summary.entries().size());
        assertEquals(1003, summary.calls("read"));
        assertEquals(1003, summary.calls("write"));
        assertEquals(0, summary.calls("sendfile"));
        assertEquals(new StraceSummary.Entry("openat", 35, 16), summary.entries().get(2));
        assertEquals(new StraceSummary.Entry("access", 1, 1),
            summary.entries().stream().filter(e -> e.syscall().equals("access")).findFirst().orElseThrow());
        assertEquals(List.of("read", "write", "openat"),
            summary.top(3).stream().map(StraceSummary.Entry::syscall).toList());
    }

    @Test
    void aWindowWithoutCallsIsAnEmptyFile()
    {
        final StraceSummary summary = StraceSummary.parse("");
        assertEquals(0, summary.total());
        assertTrue(summary.top(4).isEmpty());
    }

    @Test
    void rowsThatDoNotAddUpToTheTotalAreRejected()
    {
        final String wrongTotal = DD.replace("2125        17 total", "2126        17 total");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> StraceSummary.parse(wrongTotal));
        assertTrue(ex.getMessage().contains("2125") && ex.getMessage().contains("2126"), ex.getMessage());
    }

    @Test
    void textThatIsNotATableIsRejected()
    {
        assertThrows(IllegalArgumentException.class,
            () -> StraceSummary.parse("strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted\n"));
        assertThrows(IllegalArgumentException.class, () -> StraceSummary.parse(DD.replace(
            "      1003           read", "      10x3           read")));
    }
}
