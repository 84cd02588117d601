package io.shmbus.broker;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;

import java.nio.file.Path;

/**
 * The broker's data directory, checked at start: created private when missing, and refused with a clear message
 * when segments cannot be written there, rather than at a topic's first use. Thread-safe (stateless).
 */
final class DataDirectory
{
    private DataDirectory()
    {
    }

    /**
     * @param dataDir the directory, or null for none (nothing to check).
     * @throws ConfigurationException saying why the directory cannot hold segments.
     */
    static void ensureUsable(final Path dataDir)
    {
        if (null == dataDir)
        {
            return;
        }
        try
        {
            ShmDirectory.ensureDirectory(dataDir, ShmDirectory.PRIVATE_DIR);
        }
        catch (final ShmbusException ex)
        {
            throw new ConfigurationException("the data directory " + dataDir + " cannot hold segments: " +
                ex.getMessage());
        }
    }
}
