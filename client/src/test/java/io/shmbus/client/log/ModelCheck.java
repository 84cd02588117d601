package io.shmbus.client.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

/**
 * What the Lincheck model-checking tests of the log protocols share: logs in memory, and how the model checker is
 * told what one step of a process is.
 * <p>
 * Every method of a buffer (Agrona's, {@link StoreHook}'s, a test's) is one atomic step: the checker may switch
 * threads before and after each load, store or CAS of the shared memory, never inside one. That is the
 * granularity the protocols are written at, and it keeps the checker out of Agrona's internals (whose plain
 * accessors read a constant of the {@code DirectBuffer} interface that Lincheck 3.7 fails to resolve). The tests'
 * bookkeeping ({@code Ledger} classes, this class, {@link StoreHook}'s own methods, and lists such as the one in
 * which {@code Topic} keeps its consumers) is ignored: no switch points, no trace.
 * <p>
 * {@link #check} is thread-safe; the rest is called by the Lincheck runner or at quiescence, from one thread.
 */
final class ModelCheck
{
    /**
     * Loops of the protocols are bounded scans (64 flow-control samples, 48 consumer slots) or CAS retries: none
     * waits for another thread, so the checker need neither switch inside one nor call one of this length hung.
     */
    private static final int LOOP_BOUND = 200;
    private static final int SCRATCH_LENGTH = LogDescriptor.MIN_CAPACITY;
    private static final byte[] SCRATCH = new byte[SCRATCH_LENGTH];
    private static final byte[] ZEROS = new byte[SCRATCH_LENGTH];

    private ModelCheck()
    {
    }

    /**
     * Options with the granularity above. Each test adds its budget, threads and actors.
     *
     * @param ignored canonical names of the test's bookkeeping classes.
     */
    static ModelCheckingOptions options(final String... ignored)
    {
        return new ModelCheckingOptions()
            .loopBound(LOOP_BOUND)
            .loopIterationsBeforeThreadSwitch(LOOP_BOUND)
            .addGuarantee(forClasses(ModelCheck::isBuffer).allMethods().treatAsAtomic())
            .addGuarantee(forClasses(name -> isIgnored(name, ignored)).allMethods().ignore())
            .addGuarantee(forClasses(ArrayList.class.getCanonicalName()).allMethods().ignore());
    }

    private static Boolean isBuffer(final String className)
    {
        return className.endsWith("Buffer");
    }

    /** Matches canonical names, and binary ones (static methods are named by their class's binary name). */
    private static Boolean isIgnored(final String className, final String[] ignored)
    {
        final String name = className.replace('$', '.');
        if (name.equals(StoreHook.class.getCanonicalName()) || name.equals(ModelCheck.class.getCanonicalName()))
        {
            return true;
        }
        for (final String ignoredName : ignored)
        {
            if (name.equals(ignoredName))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A scenario written out, for the races a random scenario reaches too rarely: {@code init} runs first in one
     * thread (no switches there), then each of {@code threads} in parallel. Each string lists operations separated
     * by {@code ;}, each an operation's name and its int arguments, as {@code "offer; unblock 0"}.
     */
    static ExecutionScenario scenario(final Class<?> test, final String init, final String... threads)
    {
        final List<List<Actor>> parallel = new ArrayList<>();
        for (final String thread : threads)
        {
            parallel.add(actors(test, thread));
        }
        return new ExecutionScenario(actors(test, init), parallel, List.of(), null);
    }

    private static List<Actor> actors(final Class<?> test, final String operations)
    {
        final List<Actor> actors = new ArrayList<>();
        for (final String operation : operations.split(";"))
        {
            if (operation.isBlank())
            {
                continue;
            }
            final String[] words = operation.trim().split(" +");
            final List<Object> arguments = new ArrayList<>();
            for (int i = 1; i < words.length; i++)
            {
                arguments.add(Integer.parseInt(words[i]));
            }
            actors.add(new Actor(method(test, words[0], arguments.size()), arguments, false, false, false, false,
                false));
        }
        return actors;
    }

    private static Method method(final Class<?> test, final String name, final int arity)
    {
        for (final Method method : test.getMethods())
        {
            if (method.getName().equals(name) && method.getParameterCount() == arity &&
                method.isAnnotationPresent(Operation.class))
            {
                return method;
            }
        }
        throw new IllegalArgumentException("no operation " + name + " with " + arity + " arguments in " + test);
    }

    /**
     * Zeroes {@code memory} and formats an empty log in it: every test instance (one per model-checked execution)
     * starts from the same state without allocating a new mapping.
     */
    static void format(final ByteBuffer memory, final int capacity, final int maxMessageLength, final long initial)
    {
        TopicLog.format(memory, "model", capacity, maxMessageLength, initial);
    }

    /** One process's view of the log formatted in {@code memory}. */
    static TopicLog view(final ByteBuffer memory, final TopicLog.LogBuffers buffers)
    {
        return TopicLog.inMemory(memory, "model", buffers);
    }

    /** Fails with the concatenation of {@code message}, built only then (the checks run on every step). */
    static void check(final boolean condition, final Object... message)
    {
        if (!condition)
        {
            final StringBuilder text = new StringBuilder();
            for (final Object part : message)
            {
                text.append(part);
            }
            throw new AssertionError(text.toString());
        }
    }

    /**
     * The first position in {@code [from, to)} (at most one lap of a ring of at most {@link #SCRATCH_LENGTH}
     * bytes) whose ring byte is not zero, or {@code to}. Copies the range out in at most two steps. Called at
     * quiescence only, from one thread.
     */
    static long firstNonZero(final TopicLog log, final long from, final long to)
    {
        final UnsafeBuffer ring = log.ring();
        final int length = (int)(to - from);
        final int start = (int)from & log.mask();
        final int first = Math.min(length, log.capacity() - start);
        ring.getBytes(start, SCRATCH, 0, first);
        ring.getBytes(0, SCRATCH, first, length - first);
        final int mismatch = Arrays.mismatch(SCRATCH, 0, length, ZEROS, 0, length);
        return mismatch < 0 ? to : from + mismatch;
    }
}
