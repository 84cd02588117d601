package io.shmbus.bench;

import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each plot renders into a PNG file of the standard size that holds a drawing (more than a blank page), and the
 * axis formats label ticks the way the plots are read.
 */
class BenchPlotsTest
{
    @TempDir
    Path dir;

    @Test
    void latencyByPercentileIsAPngOfTheStandardSize() throws Exception
    {
        final Map<String, List<ResultsFile.Point>> series = new LinkedHashMap<>();
        series.put("shmbus", List.of(new ResultsFile.Point(50, 0.25), new ResultsFile.Point(90, 0.3),
            new ResultsFile.Point(99, 0.5), new ResultsFile.Point(99.9, 3), new ResultsFile.Point(99.99, 200),
            new ResultsFile.Point(100, 9000)));
        series.put("Aeron", List.of(new ResultsFile.Point(50, 0.2), new ResultsFile.Point(99.9, 1.2)));
        final Path file = dir.resolve("latency.png");

        BenchPlots.writePng(BenchPlots.latencyByPercentile("round trip", "2 vCPUs", series), file);

        assertDrawing(file);
    }

    @Test
    void aLineKeepsTheColourOfItsKeyWhateverIsDrawnBesideIt()
    {
        final Map<String, Map<Long, Double>> both = new LinkedHashMap<>();
        both.put("shmbus", Map.of(32L, 14.0));
        both.put("Aeron", Map.of(32L, 15.0));
        final JFreeChart two = BenchPlots.bySize("throughput", "", "M msg/s", both);
        final JFreeChart aeronOnly = BenchPlots.colourByKey(BenchPlots.bySize("throughput", "", "M msg/s",
            Map.of("Aeron", Map.of(32L, 15.0))), List.of("shmbus", "Aeron"));

        assertEquals(two.getXYPlot().getRenderer().getSeriesPaint(1),
            aeronOnly.getXYPlot().getRenderer().getSeriesPaint(0), "Aeron's colour as the second of the keys");
        assertNotEquals(two.getXYPlot().getRenderer().getSeriesPaint(0),
            aeronOnly.getXYPlot().getRenderer().getSeriesPaint(0));
    }

    @Test
    void bySizeBarsAndReplayArePngsOfTheStandardSize() throws Exception
    {
        final Map<String, Map<Long, Double>> bySize = new LinkedHashMap<>();
        bySize.put("shmbus", Map.of(32L, 14.0, 1024L, 5.0, 65536L, 0.1));
        bySize.put("Aeron", Map.of(32L, 15.0, 1024L, 0.9, 65536L, Double.NaN));
        final Path sizes = dir.resolve("sizes.png");
        BenchPlots.writePng(BenchPlots.bySize("throughput", "", "M msg/s", bySize), sizes);
        assertDrawing(sizes);

        final Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
        bars.put("32 B", Map.of("1 → 1", 0.64, "2 → 1", 1.3));
        final Path ratio = dir.resolve("ratio.png");
        BenchPlots.writePng(BenchPlots.bars("ratio", "", "shape", "shmbus ÷ Aeron", bars, 1.0), ratio);
        assertDrawing(ratio);

        final Path replay = dir.resolve("replay.png");
        BenchPlots.writePng(BenchPlots.replay("replay", "", Map.of("sendfile", 2.7, "mmap-write", 1.9),
            Map.of("sendfile", 0.19, "mmap-write", 0.4)), replay);
        assertDrawing(replay);
    }

    @Test
    void axisFormatsNameWhatTheTicksMean()
    {
        assertEquals("0%", new BenchPlots.PercentileFormat().format(1.0));
        assertEquals("90%", new BenchPlots.PercentileFormat().format(10.0));
        assertEquals("99%", new BenchPlots.PercentileFormat().format(100.0));
        assertEquals("99.9%", new BenchPlots.PercentileFormat().format(1000.0));
        assertEquals("99.999%", new BenchPlots.PercentileFormat().format(100000.0));
        assertEquals("32 B", new BenchPlots.SizeFormat().format(32.0));
        assertEquals("64 KiB", new BenchPlots.SizeFormat().format(65536.0));
        assertEquals("1 MiB", new BenchPlots.SizeFormat().format(1048576.0));
        assertEquals("0.01", new BenchPlots.PlainFormat().format(0.01));
        assertEquals("1,000", new BenchPlots.PlainFormat().format(1000.0));
    }

    private static void assertDrawing(final Path file) throws Exception
    {
        final BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(BenchPlots.WIDTH, image.getWidth());
        assertEquals(BenchPlots.HEIGHT, image.getHeight());
        int coloured = 0;
        for (int y = 0; y < image.getHeight(); y += 2)
        {
            for (int x = 0; x < image.getWidth(); x += 2)
            {
                final int rgb = image.getRGB(x, y) & 0xFFFFFF;
                final int r = rgb >> 16;
                final int g = (rgb >> 8) & 0xFF;
                final int b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60)
                {
                    coloured++; // a series colour, not white, grey or black
                }
            }
        }
        assertTrue(coloured > 200, file + ": only " + coloured + " coloured pixels sampled");
    }
}
