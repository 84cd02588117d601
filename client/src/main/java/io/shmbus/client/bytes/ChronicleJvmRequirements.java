package io.shmbus.client.bytes;

import io.shmbus.client.ShmbusException;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before Chronicle Bytes is first touched, that the JVM has the options Chronicle Bytes 2026.x needs on
 * Java 17, so that a missing one is named instead of surfacing later as an {@link IllegalAccessError}, an
 * {@code AssertionError} from its reflective marshaller, or a warning on standard error. These come on top of the
 * option every shmbus client needs ({@link io.shmbus.client.JvmRequirements#ADD_EXPORTS}). Refers to no Chronicle
 * class itself. Thread-safe.
 */
public final class ChronicleJvmRequirements
{
    /** Chronicle Core frees direct memory through {@code jdk.internal.ref.Cleaner}. */
    public static final String EXPORT_REF = "--add-exports java.base/jdk.internal.ref=ALL-UNNAMED";
    /** Chronicle Core reads addresses and the direct-memory limit through {@code sun.nio.ch}. */
    public static final String EXPORT_NIO_CH = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";
    /** The default (reflective) {@code BytesMarshallable} reads and writes fields with {@code setAccessible}. */
    public static final String OPEN_REFLECT = "--add-opens java.base/java.lang.reflect=ALL-UNNAMED";
    /** All of them, space-separated, as they go on a java command line. */
    public static final String ALL = EXPORT_REF + " " + EXPORT_NIO_CH + " " + OPEN_REFLECT;

    private ChronicleJvmRequirements()
    {
    }

    /**
     * @return the options this JVM lacks, empty when it has them all.
     */
    public static List<String> missing()
    {
        final Module base = Object.class.getModule();
        // Chronicle is on the class path, in the unnamed module of its loader; ALL-UNNAMED is what the options grant.
        final Module self = ChronicleJvmRequirements.class.getModule();
        final List<String> missing = new ArrayList<>(3);
        if (!base.isExported("jdk.internal.ref", self))
        {
            missing.add(EXPORT_REF);
        }
        if (!base.isExported("sun.nio.ch", self))
        {
            missing.add(EXPORT_NIO_CH);
        }
        if (!base.isOpen("java.lang.reflect", self))
        {
            missing.add(OPEN_REFLECT);
        }
        return missing;
    }

    /**
     * @throws ShmbusException naming every missing option.
     */
    public static void check()
    {
        final List<String> missing = missing();
        if (!missing.isEmpty())
        {
            throw new ShmbusException("shmbus structured messages (Chronicle Bytes) need the JVM option" +
                (missing.size() > 1 ? "s '" : " '") + String.join("' '", missing) +
                "': add them to the java command line, or to JDK_JAVA_OPTIONS (all of them: '" + ALL + "')");
        }
    }
}
