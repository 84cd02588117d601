package io.shmbus.bench;

import java.time.LocalDateTime;
import java.util.List;

/**
 * What a report says about a benchmark invocation as a whole: when and how it was started, how long it took, the
 * machine and its load before and after, and the command line every child JVM got.
 */
record Invocation(
    MachineInfo machine,
    String commandLine,
    List<String> childCommand,
    LocalDateTime started,
    String loadBefore,
    String loadAfter,
    double elapsedS)
{
}
