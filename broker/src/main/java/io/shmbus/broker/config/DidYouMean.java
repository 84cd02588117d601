package io.shmbus.broker.config;

import java.util.List;

/**
 * Finds the setting a mistyped key was meant to be: the key closest by edit distance (a swap of two neighbouring
 * letters counts as one edit), also matching how its flag and system property spell it
 * ({@code client.timeout} for {@code --client-timeout}). Thread-safe (stateless).
 */
final class DidYouMean
{
    private DidYouMean()
    {
    }

    static Setting<?> byKey(final List<Setting<?>> settings, final String key)
    {
        for (final Setting<?> setting : settings)
        {
            if (key.equals(setting.key()))
            {
                return setting;
            }
        }
        return null;
    }

    /** The key of the setting closest to {@code typed}, or null when none is close enough to be a typo. */
    static String closestKey(final List<Setting<?>> settings, final String typed)
    {
        final String text = typed.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final Setting<?> setting : settings)
        {
            if (null == setting.key())
            {
                continue;
            }
            final int distance = Math.min(distance(text, setting.key()), Math.min(
                null == setting.flag() ? Integer.MAX_VALUE :
                    distance(text, setting.flag().substring(2).replace('-', '.')),
                null == setting.property() ? Integer.MAX_VALUE : distance(text, setting.property())));
            if (distance < bestDistance)
            {
                best = setting.key();
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, text.length() / 4) ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(final String a, final String b)
    {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }
}
