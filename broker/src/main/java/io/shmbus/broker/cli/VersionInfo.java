package io.shmbus.broker.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What {@code shmbus --version} prints: the shmbus release (the Maven project version, written into
 * {@code version.properties} by the build) and the Java runtime running it. Stateless.
 */
final class VersionInfo
{
    static final String RESOURCE = "version.properties";

    private VersionInfo()
    {
    }

    /** The project version, or "unknown" when the classes were not built by Maven (the resource is unfiltered). */
    static String version()
    {
        try (InputStream in = VersionInfo.class.getResourceAsStream(RESOURCE))
        {
            if (null != in)
            {
                final Properties properties = new Properties();
                properties.load(in);
                final String version = properties.getProperty("version", "");
                if (!version.isEmpty() && !version.startsWith("${"))
                {
                    return version;
                }
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown below
        }
        final String fromManifest = VersionInfo.class.getPackage().getImplementationVersion();
        return null != fromManifest ? fromManifest : "unknown";
    }

    static String text()
    {
        return "shmbus " + version() + "\n" +
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " " +
            System.getProperty("java.vm.version") + ", " + System.getProperty("java.vendor") + ")";
    }
}
