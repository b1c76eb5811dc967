package dev.portcullis.mgmt.console;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a console line into words: separated by blanks; a word in double quotes may hold blanks, and {@code \"}
 * or {@code \\} inside quotes stand for themselves. A {@code |} outside quotes is a word of its own (it starts an
 * output filter).
 */
public final class LineWords {

    private LineWords() {
    }

    /**
     * One word and where it starts in the line.
     *
     * @param quoted whether it was written in quotes (so a quoted "|" is not a filter)
     */
    public record Word(String text, int start, boolean quoted) {
    }

    /**
     * The words of {@code line}.
     *
     * @throws CommandException for a quote left open, saying where it opened
     */
    public static List<Word> split(String line) throws CommandException {
        Split s = splitPartial(line);
        if (s.openQuote() >= 0) {
            throw new CommandException("the quote at column " + (s.openQuote() + 1) + " is not closed");
        }
        return s.words();
    }

    /**
     * The words of a line being typed: a quote left open is allowed, and whether the line ends inside a word
     * (rather than after a blank) is told, for completion.
     *
     * @param openQuote where a quote left open starts, or -1
     * @param endsInWord whether the last word is still being typed
     */
    public record Split(List<Word> words, int openQuote, boolean endsInWord) {
    }

    public static Split splitPartial(String line) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        int openQuote = -1;
        boolean endsInWord = false;
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                endsInWord = false;
                continue;
            }
            int start = i;
            if (c == '|') {
                out.add(new Word("|", start, false));
                i++;
                endsInWord = false;
                continue;
            }
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            while (i < n && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '|') {
                char d = line.charAt(i);
                if (d == '"') {
                    quoted = true;
                    int open = i;
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char q = line.charAt(i);
                        if (q == '\\' && i + 1 < n && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                            w.append(line.charAt(i + 1));
                            i += 2;
                        } else if (q == '"') {
                            closed = true;
                            i++;
                            break;
                        } else {
                            w.append(q);
                            i++;
                        }
                    }
                    if (!closed) {
                        openQuote = open;
                    }
                } else {
                    w.append(d);
                    i++;
                }
            }
            out.add(new Word(w.toString(), start, quoted));
            endsInWord = i == n;
        }
        return new Split(out, openQuote, endsInWord);
    }
}
