package io.shmbus.bench;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark plots, drawn with JFreeChart into PNG files of {@value #WIDTH} x {@value #HEIGHT} pixels: latency by
 * percentile (log scales, the usual HdrHistogram view), throughput by message size (log scales, a series per
 * system), grouped bars (a series per system or size, with an optional reference line) and the replay pair (GiB/s and
 * CPU per GiB by method). Headless; one thread at a time.
 */
final class BenchPlots
{
    static final int WIDTH = 1000;
    static final int HEIGHT = 600;

    /** One colour per series, in order: shmbus first and in the strongest colour in every plot. */
    private static final Paint[] COLOURS = {
        new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x7F7F7F), new Color(0xFF7F0E),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0x17BECF)};
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Color GRID = new Color(0xD0D0D0);

    static
    {
        System.setProperty("java.awt.headless", "true");
    }

    private BenchPlots()
    {
    }

    /**
     * Round-trip latency by percentile: x is {@code 1 / (1 - percentile)} on a log scale labelled 0%, 90%, 99%,
     * 99.9%..., y the round trip in microseconds on a log scale; one line per system.
     */
    static JFreeChart latencyByPercentile(
        final String title, final String subtitle, final Map<String, List<ResultsFile.Point>> series)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        double maxX = 10;
        for (final Map.Entry<String, List<ResultsFile.Point>> e : series.entrySet())
        {
            final XYSeries s = new XYSeries(e.getKey(), false, true);
            for (final ResultsFile.Point p : e.getValue())
            {
                if (p.percentile() < 100 && p.micros() > 0)
                {
                    final double x = 1 / (1 - p.percentile() / 100);
                    s.add(x, p.micros());
                    maxX = Math.max(maxX, x);
                }
            }
            data.addSeries(s);
        }
        final LogAxis xAxis = new LogAxis("percentile");
        xAxis.setBase(10);
        xAxis.setTickUnit(new NumberTickUnit(1));
        xAxis.setNumberFormatOverride(new PercentileFormat());
        xAxis.setRange(1, Math.pow(10, Math.ceil(Math.log10(maxX))));
        final LogAxis yAxis = new LogAxis("round trip (µs, log scale)");
        yAxis.setBase(10);
        yAxis.setTickUnit(new NumberTickUnit(1));
        yAxis.setNumberFormatOverride(new PlainFormat());
        yAxis.setSmallestValue(0.01);
        return xyChart(title, subtitle, data, xAxis, yAxis);
    }

    /** A value by message size: x the size in bytes on a log-2 scale, y on a log scale; one line per series. */
    static JFreeChart bySize(
        final String title, final String subtitle, final String valueLabel, final Map<String, Map<Long, Double>> series)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        for (final Map.Entry<String, Map<Long, Double>> e : series.entrySet())
        {
            final XYSeries s = new XYSeries(e.getKey(), true, true);
            for (final Map.Entry<Long, Double> point : e.getValue().entrySet())
            {
                if (!Double.isNaN(point.getValue()) && point.getValue() > 0)
                {
                    s.add(point.getKey().doubleValue(), point.getValue());
                    minX = Math.min(minX, point.getKey());
                    maxX = Math.max(maxX, point.getKey());
                }
            }
            data.addSeries(s);
        }
        final LogAxis xAxis = new LogAxis("message size");
        xAxis.setBase(2);
        xAxis.setTickUnit(new NumberTickUnit(1));
        xAxis.setNumberFormatOverride(new SizeFormat());
        if (maxX > 0)
        {
            xAxis.setRange(minX / 1.4, maxX * 1.4);
        }
        final LogAxis yAxis = new LogAxis(valueLabel + " (log scale)");
        yAxis.setBase(10);
        yAxis.setTickUnit(new NumberTickUnit(1));
        yAxis.setNumberFormatOverride(new PlainFormat());
        yAxis.setSmallestValue(1e-3);
        return xyChart(title, subtitle, data, xAxis, yAxis);
    }

    /**
     * Grouped bars: a group per category (e.g. a message size or a shape), a bar per series in it; a dashed
     * horizontal line at {@code reference} unless NaN (e.g. 1.0 for a ratio).
     */
    static JFreeChart bars(
        final String title, final String subtitle, final String categoryLabel, final String valueLabel,
        final Map<String, Map<String, Double>> series, final double reference)
    {
        final DefaultCategoryDataset data = dataset(series);
        final CategoryPlot plot = barPlot(data, valueLabel, reference);
        plot.getDomainAxis().setLabel(categoryLabel);
        return chart(title, subtitle, plot);
    }

    /** Replay by method: GiB/s above, sender CPU seconds per GiB below, one bar per method in each. */
    static JFreeChart replay(
        final String title, final String subtitle, final Map<String, Double> gibPerSecond,
        final Map<String, Double> cpuPerGib)
    {
        final CategoryAxis methods = new CategoryAxis("method");
        styleCategoryAxis(methods);
        final CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(methods);
        plot.setGap(14);
        plot.add(barPlot(dataset(Map.of("throughput", gibPerSecond)), "GiB/s", Double.NaN), 1);
        final CategoryPlot cpu = barPlot(dataset(Map.of("sender CPU", cpuPerGib)), "CPU s per GiB", Double.NaN);
        ((BarRenderer)cpu.getRenderer()).setSeriesPaint(0, COLOURS[1]);
        plot.add(cpu, 1);
        final JFreeChart chart = chart(title, subtitle, plot);
        chart.removeLegend();
        return chart;
    }

    /**
     * Gives each line of an XY chart the colour of its key's place in {@code keys}, so that a system keeps its colour
     * in every plot of a report whichever others are drawn beside it; a line whose key is not listed keeps its own.
     */
    static JFreeChart colourByKey(final JFreeChart chart, final List<String> keys)
    {
        final XYPlot plot = chart.getXYPlot();
        final XYDataset data = plot.getDataset();
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            final int place = keys.indexOf(data.getSeriesKey(i).toString());
            if (place >= 0)
            {
                plot.getRenderer().setSeriesPaint(i, COLOURS[place % COLOURS.length]);
            }
        }
        return chart;
    }

    /** Draws a chart into a PNG file of the standard size, creating its directory. */
    static void writePng(final JFreeChart chart, final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    private static DefaultCategoryDataset dataset(final Map<String, Map<String, Double>> series)
    {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (final Map.Entry<String, Map<String, Double>> s : series.entrySet())
        {
            for (final Map.Entry<String, Double> v : s.getValue().entrySet())
            {
                data.addValue(Double.isNaN(v.getValue()) ? null : v.getValue(), s.getKey(), v.getKey());
            }
        }
        return data;
    }

    private static CategoryPlot barPlot(final DefaultCategoryDataset data, final String valueLabel,
        final double reference)
    {
        final NumberAxis valueAxis = new NumberAxis(valueLabel);
        valueAxis.setLabelFont(LABEL_FONT);
        final CategoryAxis categoryAxis = new CategoryAxis();
        styleCategoryAxis(categoryAxis);
        final BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDrawBarOutline(false);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
            new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        renderer.setDefaultItemLabelFont(SUBTITLE_FONT);
        renderer.setDefaultItemLabelsVisible(true);
        valueAxis.setUpperMargin(0.12);
        for (int i = 0; i < COLOURS.length; i++)
        {
            renderer.setSeriesPaint(i, COLOURS[i]);
        }
        final CategoryPlot plot = new CategoryPlot(data, categoryAxis, valueAxis, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        if (!Double.isNaN(reference))
        {
            final ValueMarker marker = new ValueMarker(reference, Color.BLACK, new BasicStroke(1.5f,
                BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[]{6, 4}, 0));
            plot.addRangeMarker(marker);
            valueAxis.setAutoRangeIncludesZero(true);
            final double max = maxOf(data);
            valueAxis.setRange(0, Math.max(reference, max) * 1.15);
        }
        return plot;
    }

    private static void styleCategoryAxis(final CategoryAxis axis)
    {
        axis.setLabelFont(LABEL_FONT);
        axis.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        axis.setMaximumCategoryLabelLines(3);
    }

    private static double maxOf(final DefaultCategoryDataset data)
    {
        double max = 0;
        for (int r = 0; r < data.getRowCount(); r++)
        {
            for (int c = 0; c < data.getColumnCount(); c++)
            {
                final Number n = data.getValue(r, c);
                if (null != n)
                {
                    max = Math.max(max, n.doubleValue());
                }
            }
        }
        return max;
    }

    private static JFreeChart xyChart(final String title, final String subtitle, final XYSeriesCollection data,
        final LogAxis xAxis, final LogAxis yAxis)
    {
        xAxis.setLabelFont(LABEL_FONT);
        yAxis.setLabelFont(LABEL_FONT);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < COLOURS.length; i++)
        {
            renderer.setSeriesPaint(i, COLOURS[i]);
            renderer.setSeriesStroke(i, new BasicStroke(i == 0 ? 2.5f : 2f));
        }
        final XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        return chart(title, subtitle, plot);
    }

    private static JFreeChart chart(final String title, final String subtitle, final org.jfree.chart.plot.Plot plot)
    {
        final JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (null != subtitle && !subtitle.isEmpty())
        {
            chart.addSubtitle(new TextTitle(subtitle, SUBTITLE_FONT));
        }
        return chart;
    }

    /** Formats an x value {@code 1 / (1 - p)} as the percentile p: 1 is 0%, 10 is 90%, 1000 is 99.9%. */
    static final class PercentileFormat extends NumberFormat
    {
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            final double percentile = 100 * (1 - 1 / number);
            final int decimals = (int)Math.max(0, Math.round(Math.log10(number)) - 2);
            return toAppendTo.append(String.format(Locale.ROOT, "%." + decimals + "f%%", percentile));
        }

        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        public Number parse(final String source, final ParsePosition parsePosition)
        {
            return null;
        }
    }

    /** Formats a byte count as 32 B, 1 KiB, 64 KiB, 1 MiB. */
    static final class SizeFormat extends NumberFormat
    {
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            final long bytes = Math.round(number);
            final String text = bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" :
                bytes >= 1024 && bytes % 1024 == 0 ? (bytes >> 10) + " KiB" : bytes + " B";
            return toAppendTo.append(text);
        }

        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        public Number parse(final String source, final ParsePosition parsePosition)
        {
            return null;
        }
    }

    /** Formats a log-axis tick as a plain number: 0.1, 1, 10, 1000, without exponents. */
    static final class PlainFormat extends NumberFormat
    {
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            final String text = number >= 1 ? String.format(Locale.ROOT, "%,.0f", number) :
                String.format(Locale.ROOT, "%." + (int)Math.ceil(-Math.log10(number) - 1e-9) + "f", number);
            return toAppendTo.append(text);
        }

        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        public Number parse(final String source, final ParsePosition parsePosition)
        {
            return null;
        }
    }
}
