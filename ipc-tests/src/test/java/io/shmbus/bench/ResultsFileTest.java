package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON and CSV files beside a report: their exact text, escaping, numbers JSON can hold, and the goals. */
class ResultsFileTest
{
    @TempDir
    Path dir;

    @Test
    void writesJsonAndCsvBesideTheReport() throws Exception
    {
        final ResultsFile results = new ResultsFile().meta("command", "scripts/bench ipc --sizes \"32\"");
        results.add(new ResultsFile.Row("ipc", "throughput", "1x1", "shmbus", 32, "msgs_per_s", "1/s", "median",
            14_440_000.5));
        results.add(new ResultsFile.Row("ipc", "throughput", "2x1", "aeron, concurrent", 1024, "mb_per_s", "MB/s",
            "run 1", Double.NaN));
        results.distribution("shmbus", List.of(new ResultsFile.Point(50, 0.27), new ResultsFile.Point(99.9, 11.5)));
        results.goal(new ResultsFile.Goal("ipc", "throughput >= 1.0x Aeron", "1x1 32 B", 0.64, 1.0, true));

        final Path json = results.writeBeside(dir.resolve("ipc-20260101-000000.md"));

        assertEquals(dir.resolve("ipc-20260101-000000.json"), json);
        assertEquals(String.join("\n",
            "{",
            "  \"meta\": {",
            "    \"command\": \"scripts/bench ipc --sizes \\\"32\\\"\"",
            "  },",
            "  \"rows\": [",
            "    {\"benchmark\": \"ipc\", \"test\": \"throughput\", \"shape\": \"1x1\", \"system\": \"shmbus\", " +
                "\"sizeBytes\": 32, \"metric\": \"msgs_per_s\", \"unit\": \"1/s\", \"stat\": \"median\", " +
                "\"value\": 1.444e+07}",
            "    {\"benchmark\": \"ipc\", \"test\": \"throughput\", \"shape\": \"2x1\", \"system\": " +
                "\"aeron, concurrent\", \"sizeBytes\": 1024, \"metric\": \"mb_per_s\", \"unit\": \"MB/s\", " +
                "\"stat\": \"run 1\", \"value\": null}",
            "  ],",
            "  \"latencyPercentiles\": {",
            "    \"shmbus\": [[50, 0.27], [99.9, 11.5]]",
            "  },",
            "  \"goals\": [",
            "    {\"benchmark\": \"ipc\", \"goal\": \"throughput >= 1.0x Aeron\", \"where\": \"1x1 32 B\", " +
                "\"measured\": 0.64, \"target\": 1, \"met\": false}",
            "  ]",
            "}",
            "").replace("}\n    {", "},\n    {"), Files.readString(json));
        assertEquals(String.join("\n",
            ResultsFile.CSV_HEADER,
            "ipc,throughput,1x1,shmbus,32,msgs_per_s,1/s,median,1.444e+07",
            "ipc,throughput,2x1,\"aeron, concurrent\",1024,mb_per_s,MB/s,run 1,",
            ""), Files.readString(dir.resolve("ipc-20260101-000000.csv")));
    }

    @Test
    void numbersAreValidJson()
    {
        assertEquals("0.27", ResultsFile.number(0.27));
        assertEquals("3", ResultsFile.number(3.0));
        assertEquals("1.5e-07", ResultsFile.number(1.5e-7));
        assertEquals("null", ResultsFile.number(Double.NaN));
        assertEquals("null", ResultsFile.number(Double.POSITIVE_INFINITY));
    }

    @Test
    void goalsSayByHowMuchTheyAreMissed()
    {
        final ResultsFile.Goal throughput = new ResultsFile.Goal("ipc", "t", "w", 0.64, 1.0, true);
        assertFalse(throughput.met());
        assertEquals("not met (short by 36%)", throughput.verdict());
        final ResultsFile.Goal latency = new ResultsFile.Goal("ipc", "l", "w", 1.5, 1.2, false);
        assertEquals("not met (over by 25%)", latency.verdict());
        assertTrue(new ResultsFile.Goal("ipc", "l", "w", 1.1, 1.2, false).met());
        assertEquals("not measured", new ResultsFile.Goal("ipc", "l", "w", Double.NaN, 1.2, false).verdict());
    }

    @Test
    void findsAValueByItsFields()
    {
        final ResultsFile results = new ResultsFile();
        results.add(new ResultsFile.Row("ipc", "throughput", "1x1", "shmbus", 32, "msgs_per_s", "1/s", "run 1", 1));
        results.add(new ResultsFile.Row("ipc", "throughput", "1x1", "shmbus", 32, "msgs_per_s", "1/s", "median", 2));
        assertEquals(2, results.value("throughput", "1x1", "shmbus", 32, "msgs_per_s", "median"));
        assertTrue(Double.isNaN(results.value("throughput", "2x1", "shmbus", 32, "msgs_per_s", "median")));
    }
}
