package io.shmbus.broker.cli;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.ShmbusException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus verify DIR}: checks every frame of a topic's segment files and prints a summary.
 */
final class VerifyCommand implements Command
{
    public String name()
    {
        return "verify";
    }

    public String summary()
    {
        return "check a topic's segment files frame by frame";
    }

    public String usage()
    {
        return "usage: shmbus verify DATA_DIR/TOPIC\n\n" +
            "Reads every segment file of the topic and checks each frame on its own: length, type, version,\n" +
            "its own stream position (so gaps and misplaced bytes show), and the CRC32C where the frame has\n" +
            "one. Prints the range of positions, frames and messages, and the first problem with its file,\n" +
            "position and reason. Exit code 0 when sound, 1 when a problem was found.\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        if (argList.size() != 1 || argList.get(0).startsWith("--"))
        {
            throw new UsageException(name(), argList.isEmpty() ? "the topic's directory is required" :
                "expected one directory, got " + argList);
        }
        final Path topicDir = Paths.get(argList.get(0));
        if (!Files.isDirectory(topicDir))
        {
            throw new ShmbusException(topicDir + " is not a directory");
        }
        final boolean terminal = null != System.console();
        final SegmentScanner.Result result = new SegmentScanner().scan(topicDir, file ->
        {
            if (terminal)
            {
                err.print("\rverified " + file.getFileName());
                err.flush();
            }
        });
        if (terminal)
        {
            err.println();
        }
        if (result.segments.isEmpty())
        {
            out.println(topicDir + ": no segment files");
            return Main.EXIT_FAILURE;
        }
        out.printf("%s: %d segment(s), positions %d..%d, %d frames (%d messages, %d with checksums)%n",
            topicDir, result.segments.size(), Math.max(0, result.startPosition), result.endPosition, result.frames,
            result.messages, result.checksummed);
        if (null == result.problem)
        {
            out.println("OK");
            return Main.EXIT_OK;
        }
        out.printf("%s in %s at position %d: %s%n", result.tornTail ? "TORN TAIL" : "CORRUPT",
            result.problemFile.getFileName(), result.problemPosition, result.problem);
        out.println("everything before position " + result.problemPosition + " is sound" +
            (result.tornTail ? "; the broker cuts a torn tail when it starts" : ""));
        return Main.EXIT_FAILURE;
    }
}
