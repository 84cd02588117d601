package io.shmbus.broker;

import io.shmbus.client.ConsumerNames;
import io.shmbus.client.ShmbusException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file that keeps a topic's durable named consumer positions across broker restarts:
 * {@code <data-dir>/<topic>/named-consumers}, text, one {@code name position} line per consumer after a header line
 * {@value #HEADER}. It is replaced whole: written to a temporary file, forced when {@code sync}, renamed over the
 * old one (atomic), and the directory forced, so a crash leaves either the old or the new file, never a torn one.
 * <p>
 * Conductor thread only; it allocates, and is called only when a position changed.
 */
final class NamedPositionsFile
{
    static final String FILE_NAME = "named-consumers";
    static final String HEADER = "# shmbus named consumer positions v1";
    private static final String TEMP_SUFFIX = ".tmp";

    private NamedPositionsFile()
    {
    }

    /**
     * @return the positions by name; empty when the file does not exist.
     * @throws ShmbusException naming the file and line when it is not a positions file.
     */
    static Map<String, Long> read(final Path topicDir)
    {
        final Path file = topicDir.resolve(FILE_NAME);
        final Map<String, Long> positions = new LinkedHashMap<>();
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            return positions;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        if (lines.isEmpty() || !HEADER.equals(lines.get(0)))
        {
            throw new ShmbusException(file + " is not a named consumer positions file (first line must be '" +
                HEADER + "')");
        }
        for (int i = 1; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            final int space = line.indexOf(' ');
            try
            {
                final long position = Long.parseLong(line.substring(space + 1));
                if (space <= 0 || position < 0)
                {
                    throw new NumberFormatException();
                }
                positions.put(ConsumerNames.validate(line.substring(0, space)), position);
            }
            catch (final RuntimeException ex)
            {
                throw new ShmbusException(file + " line " + (i + 1) + " is not 'name position': '" + line + "'");
            }
        }
        return positions;
    }

    /** Replaces the file with these positions; {@code sync} forces the file and its directory to disk. */
    static void write(final Path topicDir, final Map<String, Long> positions, final boolean sync) throws IOException
    {
        final StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (final Map.Entry<String, Long> entry : positions.entrySet())
        {
            text.append(entry.getKey()).append(' ').append(entry.getValue().longValue()).append('\n');
        }
        Files.createDirectories(topicDir);
        final Path temp = topicDir.resolve(FILE_NAME + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            if (sync)
            {
                channel.force(true);
            }
        }
        Files.move(temp, topicDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        if (sync)
        {
            try (FileChannel dir = FileChannel.open(topicDir, StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
    }
}
