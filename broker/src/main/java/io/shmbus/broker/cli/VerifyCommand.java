package io.shmbus.broker.cli;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.ShmbusException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

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
        return "usage: shmbus verify DATA_DIR/TOPIC [--repair]\n\n" +
            "Reads every segment file of the topic and checks each frame on its own: length, type, version,\n" +
            "its own stream position (so gaps and misplaced bytes show), and the CRC32C where the frame has\n" +
            "one; then every archiving step against the checksum index the broker writes beside each segment\n" +
            "(<base>.sum: a changed payload byte shows with default settings), and the time index (<base>.tix).\n" +
            "Past a damaged frame it goes on from the next sound frame, so it lists every damaged range.\n" +
            "Prints the range of positions, frames and messages, then each problem with its file, position\n" +
            "and reason. A torn tail (a last frame only partly written, nothing sound after it) is cut by the\n" +
            "broker when it starts; damage is never cut.\n\n" +
            "  --repair   rebuild the time index of every segment whose indexes are wrong, and drop checksum\n" +
            "             records that describe no data (indexes only: frames are never touched)\n\n" +
            "Exit code 0 when sound (index problems repaired count as sound), 1 when a problem was found.\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final boolean repair = argList.contains("--repair");
        final List<String> rest = new ArrayList<>(argList);
        rest.remove("--repair");
        if (rest.size() != 1 || rest.get(0).startsWith("--"))
        {
            throw new UsageException(name(), rest.isEmpty() ? "the topic's directory is required" :
                "expected one directory and --repair at most, got " + argList);
        }
        final Path topicDir = Paths.get(rest.get(0));
        if (!Files.isDirectory(topicDir))
        {
            throw new ShmbusException(topicDir + " is not a directory");
        }
        final boolean terminal = null != System.console();
        final List<String> repairs = new ArrayList<>();
        final SegmentScanner scanner = new SegmentScanner();
        if (repair)
        {
            scanner.repairIndexes(repairs);
        }
        final SegmentScanner.Result result = scanner.scan(topicDir, file ->
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
        out.println(topicDir + ": " + result.segments.size() + " segment(s), positions " +
            Math.max(0, result.startPosition) + ".." + result.endPosition + ", " + result.frames + " frames (" +
            result.messages + " messages, " + result.checksummed + " with checksums), " + result.checkedSteps +
            " archiving steps checked against the checksum index");
        for (final SegmentScanner.Damage damage : result.damage)
        {
            out.println("CORRUPT in " + damage);
        }
        if (null != result.tornTail)
        {
            out.println("TORN TAIL in " + result.tornTailFile.getFileName() + " at position " + result.endPosition +
                ": " + result.tornTail + "; no sound frame after it: the broker cuts it when it starts");
        }
        for (final String problem : result.indexProblems)
        {
            out.println("INDEX " + problem);
        }
        for (final String done : repairs)
        {
            out.println("REPAIRED " + done);
        }
        if (result.segmentsWithoutChecksums > 0)
        {
            out.println("note: " + result.segmentsWithoutChecksums + " segment(s) have no checksum index (archived " +
                "by an older broker): their payloads are checked only where frames carry a CRC32C");
        }
        if (null == result.problem && (result.indexProblems.isEmpty() || repair))
        {
            out.println("OK");
            return Main.EXIT_OK;
        }
        if (null != result.problem)
        {
            out.println("everything before position " + result.problemPosition + " is sound" +
                (result.damage.isEmpty() ? "" : "; damaged data is never cut: restore it from a copy, or move " +
                "the damaged segment away (readers then report the positions as missing)"));
        }
        else
        {
            out.println("the frames are sound; run 'shmbus verify " + topicDir + " --repair' to rebuild the indexes");
        }
        return Main.EXIT_FAILURE;
    }
}
