package dev.portcullis.mgmt.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A line diff of two texts in unified format ({@code diff -u}), computed with Myers' O(ND) greedy algorithm.
 *
 * <pre>{@code
 * String diff = UnifiedDiff.diff("revision 7", running, "candidate", candidate, 3);
 * }</pre>
 *
 * <h2>How</h2>
 * Lines common to both ends are set aside first (an edit usually touches a few lines of a long policy). Lines are
 * compared as small integers (each distinct line gets one). Myers' algorithm finds a shortest edit script of D
 * steps in O((N+M)D) time, keeping the frontier of each step for the backtrack: O(D^2) memory. Past
 * {@value #MAX_EDITS} steps (a policy replaced wholesale) the middle part is shown as removed and added in one
 * piece: still a correct diff, no longer a minimal one. Stateless; thread-safe.
 *
 * <p>E. W. Myers, "An O(ND) Difference Algorithm and Its Variations", Algorithmica 1 (1986).
 */
final class UnifiedDiff {

    /** Edit steps searched before giving up on a minimal script; its backtrack keeps about MAX_EDITS^2 ints. */
    static final int MAX_EDITS = 2000;

    private UnifiedDiff() {
    }

    private enum Op {
        KEEP, REMOVE, ADD
    }

    /**
     * The unified diff from {@code oldText} to {@code newText} with {@code context} lines around each change; the
     * empty string when they are equal.
     */
    static String diff(String oldName, String oldText, String newName, String newText, int context) {
        if (oldText.equals(newText)) {
            return "";
        }
        String[] a = lines(oldText);
        String[] b = lines(newText);
        List<Op> ops = script(a, oldText.endsWith("\n"), b, newText.endsWith("\n"));
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(oldName).append('\n').append("+++ ").append(newName).append('\n');
        int n = ops.size();
        // the position in a and b at each op
        int[] ai = new int[n + 1];
        int[] bi = new int[n + 1];
        for (int i = 0; i < n; i++) {
            ai[i + 1] = ai[i] + (ops.get(i) != Op.ADD ? 1 : 0);
            bi[i + 1] = bi[i] + (ops.get(i) != Op.REMOVE ? 1 : 0);
        }
        int i = 0;
        while (i < n) {
            if (ops.get(i) == Op.KEEP) {
                i++;
                continue;
            }
            int start = Math.max(0, i - context);
            int end = i;
            // extend over changes separated by at most 2*context kept lines
            while (true) {
                while (end < n && ops.get(end) != Op.KEEP) {
                    end++;
                }
                int keep = end;
                while (keep < n && ops.get(keep) == Op.KEEP) {
                    keep++;
                }
                if (keep < n && keep - end <= 2 * context) {
                    end = keep;
                } else {
                    end = Math.min(n, end + context);
                    break;
                }
            }
            int oldCount = ai[end] - ai[start];
            int newCount = bi[end] - bi[start];
            out.append("@@ -").append(range(ai[start], oldCount)).append(" +").append(range(bi[start], newCount))
                    .append(" @@\n");
            for (int k = start; k < end; k++) {
                switch (ops.get(k)) {
                    case KEEP -> line(out, ' ', a, ai[k], oldText);
                    case REMOVE -> line(out, '-', a, ai[k], oldText);
                    case ADD -> line(out, '+', b, bi[k], newText);
                }
            }
            i = end;
        }
        return out.toString();
    }

    private static void line(StringBuilder out, char mark, String[] lines, int index, String text) {
        out.append(mark).append(lines[index]).append('\n');
        if (index == lines.length - 1 && !text.endsWith("\n")) {
            out.append("\\ No newline at end of file\n");
        }
    }

    /** {@code START,COUNT} with the conventions of diff -u: 1-based, and the line before for an empty range. */
    private static String range(int start, int count) {
        if (count == 0) {
            return start + ",0";
        }
        return count == 1 ? Integer.toString(start + 1) : (start + 1) + "," + count;
    }

    /** The lines of a text, without their line breaks; a final line break does not start another line. */
    static String[] lines(String text) {
        if (text.isEmpty()) {
            return new String[0];
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return body.split("\n", -1);
    }

    /** A shortest edit script from {@code a} to {@code b} (or a correct longer one past {@link #MAX_EDITS}). */
    private static List<Op> script(String[] a, boolean aEndsLine, String[] b, boolean bEndsLine) {
        Map<String, Integer> ids = new HashMap<>();
        int[] x = new int[a.length];
        int[] y = new int[b.length];
        for (int i = 0; i < a.length; i++) {
            x[i] = ids.computeIfAbsent(key(a, i, aEndsLine), k -> ids.size());
        }
        for (int i = 0; i < b.length; i++) {
            y[i] = ids.computeIfAbsent(key(b, i, bEndsLine), k -> ids.size());
        }
        int prefix = 0;
        while (prefix < x.length && prefix < y.length && x[prefix] == y[prefix]) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < x.length - prefix && suffix < y.length - prefix
                && x[x.length - 1 - suffix] == y[y.length - 1 - suffix]) {
            suffix++;
        }
        List<Op> ops = new ArrayList<>(x.length + y.length);
        for (int i = 0; i < prefix; i++) {
            ops.add(Op.KEEP);
        }
        int[] mx = Arrays.copyOfRange(x, prefix, x.length - suffix);
        int[] my = Arrays.copyOfRange(y, prefix, y.length - suffix);
        List<Op> middle = myers(mx, my);
        if (middle == null) {
            for (int i = 0; i < mx.length; i++) {
                ops.add(Op.REMOVE);
            }
            for (int i = 0; i < my.length; i++) {
                ops.add(Op.ADD);
            }
        } else {
            ops.addAll(middle);
        }
        for (int i = 0; i < suffix; i++) {
            ops.add(Op.KEEP);
        }
        return ops;
    }

    /** A line's identity: a last line without a line break differs from the same line with one. */
    private static String key(String[] lines, int i, boolean endsLine) {
        return i == lines.length - 1 && !endsLine ? "\u0000no-eol\u0000" + lines[i] : lines[i];
    }

    /** Myers' greedy forward search with a backtrack; null past {@link #MAX_EDITS} steps. */
    private static List<Op> myers(int[] a, int[] b) {
        int n = a.length;
        int m = b.length;
        int max = n + m;
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        int found = -1;
        for (int d = 0; d <= Math.min(max, MAX_EDITS); d++) {
            // keep v[-d..d] as it was before step d, for the backtrack
            trace.add(Arrays.copyOfRange(v, offset - d, offset + d + 1));
            for (int k = -d; k <= d; k += 2) {
                int xk;
                if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) {
                    xk = v[offset + k + 1];
                } else {
                    xk = v[offset + k - 1] + 1;
                }
                int yk = xk - k;
                while (xk < n && yk < m && a[xk] == b[yk]) {
                    xk++;
                    yk++;
                }
                v[offset + k] = xk;
                if (xk >= n && yk >= m) {
                    found = d;
                    break;
                }
            }
            if (found >= 0) {
                break;
            }
        }
        if (found < 0) {
            return null;
        }
        List<Op> reversed = new ArrayList<>();
        int px = n;
        int py = m;
        for (int d = found; d >= 0; d--) {
            int[] prev = trace.get(d); // the frontier before step d: where each path of d-1 steps ended
            int k = px - py;
            int prevK = k == -d || (k != d && get(prev, d, k - 1) < get(prev, d, k + 1)) ? k + 1 : k - 1;
            int prevX = get(prev, d, prevK);
            int prevY = prevX - prevK;
            while (px > prevX && py > prevY) {
                reversed.add(Op.KEEP);
                px--;
                py--;
            }
            if (d > 0) {
                if (px == prevX) {
                    reversed.add(Op.ADD);
                    py--;
                } else {
                    reversed.add(Op.REMOVE);
                    px--;
                }
            }
        }
        List<Op> out = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
        return out;
    }

    /** Entry {@code k} of a frontier saved before step {@code d} (which holds k in [-d, d]). */
    private static int get(int[] saved, int d, int k) {
        int i = k + d;
        return i < 0 || i >= saved.length ? 0 : saved[i];
    }
}
