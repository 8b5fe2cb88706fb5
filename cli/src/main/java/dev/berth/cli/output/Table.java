package dev.berth.cli.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table that fits the terminal: columns as wide as their widest cell, and when the whole
 * is wider than the terminal the widest column gives up characters first (its cells end with "~"), so
 * the short columns that say most (status, counts) stay whole. One column may be a status, coloured by
 * {@link StatusColour} when the terminal takes colour; padding is computed before colouring, so escape
 * codes never shift a column.
 */
public final class Table {
    private static final String GAP = "  ";
    private static final int NARROWEST = 5;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private int statusColumn = -1;

    private Table(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    public static Table of(String... headers) {
        return new Table(Arrays.asList(headers));
    }

    /** Colours this column's cells by the state they name. */
    public Table statusColumn(String header) {
        statusColumn = headers.indexOf(header);
        return this;
    }

    public Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(headers.size() + " cells expected, not " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null ? "-" : cell.replace('\n', ' ')).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table as lines no longer than {@code width} (unless even the narrowest columns are wider). */
    public String render(int width, boolean colour) {
        int[] widths = fit(width);
        StringBuilder text = new StringBuilder();
        line(text, headers, widths, false);
        for (List<String> row : rows) {
            line(text, row, widths, colour);
        }
        return text.toString();
    }

    int[] fit(int width) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        int total = Arrays.stream(widths).sum() + GAP.length() * (widths.length - 1);
        while (total > width) {
            int widest = 0;
            for (int i = 1; i < widths.length; i++) {
                if (widths[i] > widths[widest]) {
                    widest = i;
                }
            }
            if (widths[widest] <= NARROWEST) {
                break;
            }
            widths[widest]--;
            total--;
        }
        return widths;
    }

    private void line(StringBuilder text, List<String> cells, int[] widths, boolean colour) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cut(cells.get(i), widths[i]);
            boolean last = i == cells.size() - 1;
            String padded = last ? cell : cell + " ".repeat(widths[i] - cell.length());
            line.append(colour && i == statusColumn ? StatusColour.paint(padded, cells.get(i)) : padded);
            if (!last) {
                line.append(GAP);
            }
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }

    static String cut(String cell, int width) {
        return cell.length() <= width ? cell : cell.substring(0, width - 1) + "~";
    }
}
