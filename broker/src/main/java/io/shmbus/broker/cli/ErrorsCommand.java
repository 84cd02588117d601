package io.shmbus.broker.cli;

import io.shmbus.broker.logging.IsoTimestamps;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.cnc.CncFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus errors}: the distinct errors in the broker's CnC file, each with its count, first and last time,
 * most recent first; of a running broker, or of a stopped one whose CnC file was left behind.
 */
final class ErrorsCommand implements Command
{
    public String name()
    {
        return "errors";
    }

    public String summary()
    {
        return "print the broker's distinct errors with counts and times";
    }

    public String usage()
    {
        return "usage: shmbus errors [--dir DIR]\n\n" +
            "Prints each distinct error the broker recorded in its CnC file (a rejected command, damaged\n" +
            "storage, a failed write, an unexpected exception with its stack trace), most recent first: how\n" +
            "many times it happened, the first and last time (UTC), and its text; 'no errors' when there are\n" +
            "none. Works while the broker runs, and after it died, from the CnC file it left behind (a clean\n" +
            "stop removes the file; its errors are on the broker's log too).\n\n" +
            "  --dir DIR          shared-memory directory (default " + ShmDirectory.defaultDirectory() + ")\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final Args args = Args.parse(name(), argList, Set.of("--dir"), Set.of());
        final Path dir = args.has("--dir") ? Paths.get(args.get("--dir", null)) : ShmDirectory.defaultDirectory();
        final Path file = CncFile.fileIn(dir);
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ShmbusException("no broker is running on " + dir + " and none left its errors there (no " +
                file + ")");
        }
        try
        {
            final List<RecordedErrors.Entry> errors = RecordedErrors.read(cnc.errorLog());
            final String broker = "broker pid " + cnc.brokerPid() + (cnc.isBrokerProcessAlive() ? ", running" :
                ", not running");
            if (errors.isEmpty())
            {
                out.println("no errors (" + broker + ")");
                return Main.EXIT_OK;
            }
            out.println(errors.size() + (1 == errors.size() ? " distinct error" : " distinct errors") + " (" +
                broker + "), most recent first:");
            for (final RecordedErrors.Entry error : errors)
            {
                out.println();
                out.println(error.count + (1 == error.count ? " time" : " times") + ", first " +
                    IsoTimestamps.utcMillis(error.firstMs) + ", last " + IsoTimestamps.utcMillis(error.lastMs));
                for (final String line : error.text.strip().split("\\R"))
                {
                    out.println("  " + line);
                }
            }
        }
        finally
        {
            cnc.close();
        }
        return Main.EXIT_OK;
    }
}
