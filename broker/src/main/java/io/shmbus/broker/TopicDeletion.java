package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveListing;
import io.shmbus.broker.archive.ArchiveSubscriber;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The checks and file steps of {@code DELETE_TOPIC}. Who uses a topic: producers registered by a live client, the
 * exclusive producer's live process, a consumer slot (other than the archiver's) owned by a live process. The files
 * go in an order that leaves, at every step, either the whole topic or a consistent one: the ring file first (a
 * topic with its archive but no ring is recreated continuing at the archive's end), then the archive directory,
 * renamed out of the topic's name in one step before its files are removed, so a crash or a failure in the middle
 * leaves a "tombstone" that no broker opens as a topic and the next one removes at start.
 * <p>
 * Conductor thread only.
 */
final class TopicDeletion
{
    /** In the name of a renamed archive directory; '~' is never in a topic name, so it is never taken for one. */
    static final String TOMBSTONE_MARK = "~deleting-";

    /** Why a topic may not be deleted now: a {@code ControlProtocol} error code and the operator's message. */
    record Refusal(int errorCode, String message)
    {
    }

    private TopicDeletion()
    {
    }

    /**
     * Every check before a deletion, in order: local users, the confirmation for segment files, network
     * subscribers. When it returns null, the topic's archive view is marked deleted (no network subscription can
     * start any more) and the deletion must go on.
     *
     * @param archiveDir  the topic's directory in the data directory, or null when the broker has none.
     * @param withArchive the operator confirmed that segment files go too.
     */
    static Refusal check(
        final TopicState topic,
        final Long2ObjectHashMap<ClientSession> clients,
        final LongPredicate isAlive,
        final Path archiveDir,
        final boolean withArchive)
    {
        final String users = users(topic, clients, isAlive);
        if (null != users)
        {
            return new Refusal(ControlProtocol.ERROR_TOPIC_IN_USE, "topic '" + topic.name + "' is in use by " + users +
                ": stop them (or close what they registered) first");
        }
        final ArchiveListing listing;
        try
        {
            listing = null != archiveDir ? ArchiveListing.of(archiveDir) : ArchiveListing.EMPTY;
        }
        catch (final IOException ex)
        {
            return new Refusal(ControlProtocol.ERROR_STORAGE, "topic '" + topic.name + "': " + ex);
        }
        if (listing.segments() > 0 && !withArchive)
        {
            return new Refusal(ControlProtocol.ERROR_CONFIRMATION_REQUIRED, "topic '" + topic.name + "' has " +
                listing.segments() + " segment file(s) (" + listing.segmentBytes() + " bytes) in " + archiveDir +
                ": deleting them must be confirmed");
        }
        if (null != topic.archiveView)
        {
            final List<ArchiveSubscriber> remote = topic.archiveView.deleteIfUnread();
            if (!remote.isEmpty())
            {
                final StringBuilder who = new StringBuilder();
                remote.forEach(subscriber -> who.append(who.length() > 0 ? ", " : "").append(subscriber.remote()));
                return new Refusal(ControlProtocol.ERROR_TOPIC_IN_USE, "topic '" + topic.name + "' is in use by " +
                    remote.size() + " network subscriber(s) (" + who + "): they must disconnect first");
            }
        }
        return null;
    }

    /**
     * Who keeps the topic from being deleted, e.g. "2 producer(s) (pids 12, 13), 1 consumer(s) (pid 14 in slot
     * 3)", or null when nobody does (network subscribers are the archive view's to tell).
     */
    private static String users(
        final TopicState topic, final Long2ObjectHashMap<ClientSession> clients, final LongPredicate isAlive)
    {
        final Set<Long> producerPids = new LinkedHashSet<>();
        int producers = 0;
        for (final ClientSession session : clients.values())
        {
            if (!isAlive.test(session.pid))
            {
                continue; // its registrations go with its session at the next liveness check
            }
            for (final TopicState registered : session.producers.values())
            {
                if (registered == topic)
                {
                    producers++;
                    producerPids.add(session.pid);
                }
            }
        }
        final long exclusiveOwner = topic.log.exclusiveOwnerPidVolatile();
        if (0 != exclusiveOwner && isAlive.test(exclusiveOwner) && producerPids.add(exclusiveOwner))
        {
            producers++;
        }
        final List<String> consumers = new ArrayList<>();
        final int archiverSlot = null != topic.archiver ? topic.archiver.slot() : -1;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final long owner = topic.log.slotOwnerPid(slot);
            if (slot != archiverSlot && LogDescriptor.SLOT_FREE != topic.log.slotStateVolatile(slot) &&
                isAlive.test(owner))
            {
                consumers.add("pid " + owner + " in slot " + slot);
            }
        }
        if (0 == producers && consumers.isEmpty())
        {
            return null;
        }
        final StringBuilder who = new StringBuilder();
        if (producers > 0)
        {
            who.append(producers).append(" producer(s) (pid").append(producerPids.size() > 1 ? "s " : " ")
                .append(join(producerPids)).append(')');
        }
        if (!consumers.isEmpty())
        {
            who.append(producers > 0 ? ", " : "").append(consumers.size()).append(" consumer(s) (")
                .append(String.join(", ", consumers)).append(')');
        }
        return who.toString();
    }

    /**
     * Deletes the files of a topic the broker has closed: its ring file, then its archive directory.
     *
     * @param archiveDir the topic's directory in the data directory, or null when the broker has none.
     * @return what was deleted, for the operator.
     */
    static String deleteFiles(final Path ringFile, final Path archiveDir) throws IOException
    {
        final long ringBytes = Files.exists(ringFile) ? Files.size(ringFile) : 0;
        final boolean ringDeleted = Files.deleteIfExists(ringFile);
        final StringBuilder deleted = new StringBuilder();
        deleted.append(ringDeleted ? "ring file " + ringFile + " (" + ringBytes + " bytes)" : "no ring file");
        if (null != archiveDir && Files.isDirectory(archiveDir))
        {
            final ArchiveListing listing = ArchiveListing.of(archiveDir);
            final Path tombstone = archiveDir.resolveSibling(archiveDir.getFileName() + TOMBSTONE_MARK +
                System.nanoTime());
            Files.move(archiveDir, tombstone, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            removeTree(tombstone);
            deleted.append(", archive ").append(archiveDir).append(" (").append(listing.segments())
                .append(" segment file(s), ").append(listing.segmentBytes()).append(" bytes, and ")
                .append(listing.otherFiles()).append(" index file(s), ").append(listing.otherBytes())
                .append(" bytes)");
        }
        return deleted.toString();
    }

    static boolean isTombstone(final String name)
    {
        return name.contains(TOMBSTONE_MARK);
    }

    /** Finishes what an interrupted deletion left in the data directory: removes every tombstone. */
    static void removeTombstones(final Path dataDir, final BrokerLogger log)
    {
        if (null == dataDir || !Files.isDirectory(dataDir))
        {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir, "*" + TOMBSTONE_MARK + "*"))
        {
            for (final Path entry : entries)
            {
                removeTree(entry);
                log.info(BrokerLogger.CONDUCTOR, "removed " + entry + ", left by a topic deletion that did not finish");
            }
        }
        catch (final IOException ex)
        {
            log.warn(BrokerLogger.CONDUCTOR, "cannot remove what an unfinished topic deletion left in " + dataDir +
                ": " + ex);
        }
    }

    private static void removeTree(final Path root) throws IOException
    {
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
            {
                if (null != ex)
                {
                    throw ex;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String join(final Set<Long> pids)
    {
        final StringBuilder joined = new StringBuilder();
        for (final long pid : pids)
        {
            joined.append(joined.length() > 0 ? ", " : "").append(pid);
        }
        return joined.toString();
    }
}
