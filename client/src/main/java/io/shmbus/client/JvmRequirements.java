package io.shmbus.client;

/**
 * Checks, before Agrona is first touched, that the JVM was started with the one option shmbus needs, so that a
 * missing flag is reported by name instead of as an {@link IllegalAccessError} from deep inside Agrona.
 */
public final class JvmRequirements
{
    /** The JVM option Agrona 2.x requires. */
    public static final String ADD_EXPORTS = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    private JvmRequirements()
    {
    }

    /**
     * @throws ShmbusException naming the missing option.
     */
    public static void check()
    {
        if (!Object.class.getModule().isExported("jdk.internal.misc", JvmRequirements.class.getModule()))
        {
            throw new ShmbusException("shmbus needs the JVM option '" + ADD_EXPORTS + "' (Agrona 2.x uses " +
                "jdk.internal.misc.Unsafe): add it to the java command line, or to JDK_JAVA_OPTIONS");
        }
    }
}
