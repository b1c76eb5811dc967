package dev.portcullis.mgmt.config;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The process {@link ConfigStoreCrashTest} kills: opens the store (running its recovery), then commits revision
 * after revision, each with a text and metadata that are a function of its number alone, printing
 * {@code committed N} once {@code append} has returned (and {@code confirmed N} after a confirmation), until it is
 * killed.
 */
public final class StoreCrashChild {

    private StoreCrashChild() {
    }

    /** The policy text of revision {@code n}: between 1 KB and 256 KB, different for every number. */
    static String text(int n) {
        SplittableRandom r = new SplittableRandom(n * 0x9E3779B97F4A7C15L);
        int lines = 20 + r.nextInt(r.nextBoolean() ? 60 : 6000);
        StringBuilder sb = new StringBuilder(lines * 44);
        sb.append("# revision ").append(n).append('\n');
        for (int i = 0; i < lines; i++) {
            sb.append("  - {name: r").append(n).append('-').append(i).append(", action: ")
                    .append(r.nextBoolean() ? "accept" : "drop").append("}\n");
        }
        return sb.toString();
    }

    static Instant time(int n) {
        return Instant.ofEpochSecond(1_800_000_000L + n, n % 1000 * 1_000_000L);
    }

    static Operator author(int n) {
        return new Operator("op" + n % 7, "198.51.100." + n % 250 + ":" + (40000 + n));
    }

    static String comment(int n) {
        return "commit " + n + (n % 3 == 0 ? "\nwith a second line: " + "x".repeat(n % 40) : "");
    }

    /** Every fifth revision is a commit confirmed returning to the one before it. */
    static boolean confirmed(int n) {
        return n % 5 == 0 && n > 1;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int keep = Integer.parseInt(args[1]);
        try (ConfigStore store = ConfigStore.open(dir, keep)) {
            int n = store.running().map(Revision::number).orElse(0);
            System.out.println("ready " + n);
            System.out.flush();
            while (true) {
                n++;
                boolean c = confirmed(n);
                store.append(text(n), time(n), author(n), comment(n), Revision.Origin.COMMIT,
                        c ? Optional.of(time(n).plusSeconds(600)) : Optional.empty(),
                        c ? OptionalInt.of(n - 1) : OptionalInt.empty());
                System.out.println("committed " + n);
                if (c && n % 10 == 0) {
                    store.confirm(n);
                    System.out.println("confirmed " + n);
                }
                System.out.flush();
            }
        }
    }
}
