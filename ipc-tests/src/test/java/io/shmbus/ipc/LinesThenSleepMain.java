package io.shmbus.ipc;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * A child that prints {@code COUNT} numbered lines ({@code line 0}, {@code line 1}, ...) in one burst, creates the
 * file {@code MARKER} once every line is in its stdout pipe, then sleeps until killed: the last lines are still
 * unread in the pipe when its parent sees the marker. One thread.
 */
public final class LinesThenSleepMain
{
    private LinesThenSleepMain()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final int count = Integer.parseInt(args[0]);
        // one large buffer: the lines reach the pipe in as few writes as the pipe takes, faster than a reader
        final PrintStream out = new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 20), false,
            StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++)
        {
            out.println("line " + i);
        }
        out.flush();
        Files.createFile(Paths.get(args[1]));
        Thread.sleep(Long.MAX_VALUE);
    }
}
