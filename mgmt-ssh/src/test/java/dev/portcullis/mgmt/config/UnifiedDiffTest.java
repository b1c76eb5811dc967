package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class UnifiedDiffTest {

    private static String diff(String a, String b) {
        return UnifiedDiff.diff("a", a, "b", b, 3);
    }

    @Test
    void diff_equalTexts_empty() {
        assertThat(diff("x\ny\n", "x\ny\n")).isEmpty();
    }

    @Test
    void diff_oneLineChanged_hunkWithThreeLinesOfContext() {
        String a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        String b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assertThat(diff(a, b)).isEqualTo("""
                --- a
                +++ b
                @@ -2,7 +2,7 @@
                 2
                 3
                 4
                -5
                +five
                 6
                 7
                 8
                """);
    }

    @Test
    void diff_changesFarApart_twoHunks_nearTogether_oneHunk() {
        StringBuilder a = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            a.append(i).append('\n');
        }
        String far = a.toString().replace("\n2\n", "\ntwo\n").replace("\n19\n", "\nnineteen\n");
        assertThat(diff(a.toString(), far)).contains("@@ -1,5 +1,5 @@").contains("@@ -16,5 +16,5 @@");
        String near = a.toString().replace("\n5\n", "\nfive\n").replace("\n11\n", "\neleven\n");
        assertThat(diff(a.toString(), near)).containsOnlyOnce("@@ -").contains("@@ -2,13 +2,13 @@");
    }

    @Test
    void diff_insertAtStartAndDeleteAtEnd_emptyRangesNamedByTheLineBefore() {
        assertThat(diff("a\n", "new\na\n")).isEqualTo("--- a\n+++ b\n@@ -1 +1,2 @@\n+new\n a\n");
        assertThat(diff("", "x\n")).isEqualTo("--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
        assertThat(diff("x\n", "")).isEqualTo("--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n");
    }

    @Test
    void diff_missingFinalNewline_marked() {
        assertThat(diff("a\nb", "a\nb\n")).isEqualTo(
                "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
    }

    /** Past MAX_EDITS steps the diff is no longer minimal but still correct: it applies to give the new text. */
    @Test
    void diff_wholesaleReplacement_pastTheStepLimit_stillApplies() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            a.append("old ").append(i).append('\n');
            b.append(i % 2 == 0 ? "old " + i : "new " + i).append('\n');
        }
        String d = diff(a.toString(), b.toString());
        assertThat(patch(a.toString(), d)).isEqualTo(b.toString());
        assertThat(d.lines().filter(l -> l.startsWith("-old")).count()).isGreaterThan(1500);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("a", "b", "c", "").list().ofMaxSize(30)
                .flatMap(lines -> Arbitraries.of(true, false).map(eol -> {
                    String t = String.join("\n", lines);
                    return lines.isEmpty() ? "" : eol ? t + "\n" : t;
                }));
    }

    /**
     * Invariants: applying the diff to the old text gives the new text exactly (line breaks included), and the
     * diff is minimal: it removes and adds exactly the lines outside a longest common subsequence.
     */
    @Property(tries = 300)
    void diff_randomTexts_patchReproducesAndIsMinimal(@ForAll("texts") String a, @ForAll("texts") String b) {
        String d = diff(a, b);
        assertThat(patch(a, d)).isEqualTo(b);
        String[] x = UnifiedDiff.lines(a);
        String[] y = UnifiedDiff.lines(b);
        long changed = d.lines().filter(l -> (l.startsWith("-") && !l.startsWith("---"))
                || (l.startsWith("+") && !l.startsWith("+++"))).count();
        int lcs = lcs(key(x, a), key(y, b));
        assertThat(changed).isEqualTo(x.length + y.length - 2L * lcs);
    }

    /** Lines as compared: a last line without a line break differs from the same line with one. */
    private static String[] key(String[] lines, String text) {
        String[] k = lines.clone();
        if (k.length > 0 && !text.endsWith("\n")) {
            k[k.length - 1] = k[k.length - 1] + "\u0000";
        }
        return k;
    }

    private static int lcs(String[] a, String[] b) {
        int[][] t = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                t[i][j] = a[i].equals(b[j]) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        return t[0][0];
    }

    private static final Pattern HUNK = Pattern.compile("@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

    /** A small patch(1): applies a unified diff, checking every context and removed line. */
    static String patch(String old, String diff) {
        if (diff.isEmpty()) {
            return old;
        }
        String[] a = UnifiedDiff.lines(old);
        boolean oldEol = old.isEmpty() || old.endsWith("\n");
        List<String> out = new ArrayList<>();
        boolean newEol = oldEol;
        int pos = 0;
        String[] lines = diff.split("\n", -1);
        char last = ' ';
        for (int i = 2; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty() && i == lines.length - 1) {
                break;
            }
            if (l.startsWith("@@")) {
                Matcher m = HUNK.matcher(l);
                assertThat(m.matches()).as("hunk header " + l).isTrue();
                int start = Integer.parseInt(m.group(1));
                int count = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
                int from = count == 0 ? start : start - 1;
                while (pos < from) {
                    out.add(a[pos++]);
                }
                newEol = true;
                continue;
            }
            char c = l.charAt(0);
            String text = l.substring(1);
            switch (c) {
                case ' ' -> {
                    assertThat(a[pos]).isEqualTo(text);
                    out.add(text);
                    pos++;
                }
                case '-' -> {
                    assertThat(a[pos]).isEqualTo(text);
                    pos++;
                }
                case '+' -> out.add(text);
                case '\\' -> {
                    if (last == ' ' || last == '+') {
                        newEol = false;
                    }
                }
                default -> throw new AssertionError("bad diff line " + l);
            }
            last = c;
        }
        if (pos < a.length) {
            while (pos < a.length) {
                out.add(a[pos++]);
            }
            newEol = oldEol;
        }
        String body = String.join("\n", out);
        return out.isEmpty() ? "" : newEol ? body + "\n" : body;
    }
}
