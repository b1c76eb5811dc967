package dev.portcullis.mgmt.console;

import dev.portcullis.policy.PolicyException;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@link ConfigBackend} in memory, for tests of the console only: revisions are kept in a list, the candidate is
 * policy text, {@code set} and {@code delete} add lines of YAML comments (this stand-in does not edit the tree),
 * {@code check} and {@code commit} run the real policy check. Records every call for assertions.
 */
public final class InMemoryConfigBackend implements ConfigBackend {

    record Stored(String text, RevisionInfo info) {
    }

    final List<Stored> revisions = new ArrayList<>();
    public final List<String> calls = new ArrayList<>();

    public InMemoryConfigBackend(String initialPolicy) {
        revisions.add(new Stored(initialPolicy, new RevisionInfo(1, Instant.parse("2026-01-01T00:00:00Z"),
                "installer", "local", "first revision", "running")));
    }

    synchronized int runningNumber() {
        return revisions.size();
    }

    @Override
    public synchronized Revision running() {
        return new Revision(revisions.size(), revisions.getLast().text());
    }

    @Override
    public synchronized Revision revision(int number) throws ConfigException {
        if (number < 1 || number > revisions.size()) {
            throw new ConfigException("no revision " + number + "; revisions are 1 to " + revisions.size());
        }
        return new Revision(number, revisions.get(number - 1).text());
    }

    @Override
    public synchronized List<RevisionInfo> history() {
        List<RevisionInfo> out = new ArrayList<>();
        for (Stored s : revisions) {
            out.addFirst(s.info());
        }
        return out;
    }

    @Override
    public synchronized Session open(Operator who) {
        calls.add("open " + who.user() + " " + who.source());
        return new MemorySession(who, runningNumber());
    }

    private final class MemorySession implements Session {
        private final Operator who;
        private int base;
        private String candidate;

        MemorySession(Operator who, int base) {
            this.who = who;
            this.base = base;
            this.candidate = revisions.get(base - 1).text();
        }

        @Override
        public void load(Path file) throws ConfigException {
            calls.add("load " + file.getFileName());
            try {
                candidate = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException("cannot read " + file.getFileName() + ": " + e.getMessage());
            }
        }

        @Override
        public void set(List<String> path, String value) {
            calls.add("set " + path + " " + value);
            candidate = candidate + "# set " + String.join(".", path) + " = " + value + "\n";
        }

        @Override
        public void delete(List<String> path) {
            calls.add("delete " + path);
            candidate = candidate + "# delete " + String.join(".", path) + "\n";
        }

        @Override
        public String candidate() {
            return candidate;
        }

        @Override
        public Comparison compare(OptionalInt revision) throws ConfigException {
            int against = revision.orElse(base);
            String old = revision(against).text();
            StringBuilder diff = new StringBuilder();
            List<String> a = old.lines().toList();
            List<String> b = candidate.lines().toList();
            a.stream().filter(l -> !b.contains(l)).forEach(l -> diff.append("-").append(l).append('\n'));
            b.stream().filter(l -> !a.contains(l)).forEach(l -> diff.append("+").append(l).append('\n'));
            List<VerdictChange> changes = old.equals(candidate) ? List.of()
                    : List.of(new VerdictChange("tcp 198.51.100.7:40000 -> 127.0.0.1:8080", "accept (rule 1 'web')",
                            "drop (default)", "recent decision"));
            return new Comparison(against, diff.toString(), changes, 10);
        }

        @Override
        public CheckResult check() {
            try {
                PolicyLoader.compile("candidate", candidate);
                return new CheckResult(true, List.of());
            } catch (PolicyException e) {
                return new CheckResult(false, e.report().lines().toList());
            }
        }

        @Override
        public CommitResult commit(Optional<String> comment) throws ConfigException {
            return store(comment, Optional.empty());
        }

        @Override
        public CommitResult commitConfirmed(Duration within, Optional<String> comment) throws ConfigException {
            return store(comment, Optional.of(Instant.now().plus(within)));
        }

        private CommitResult store(Optional<String> comment, Optional<Instant> confirmBy) throws ConfigException {
            CheckResult r = check();
            if (!r.valid()) {
                throw new ConfigException("the candidate is not a valid policy; nothing was committed",
                        r.diagnostics());
            }
            synchronized (InMemoryConfigBackend.this) {
                if (runningNumber() != base) {
                    throw new ConfigException("revision " + runningNumber() + " was committed by "
                            + revisions.getLast().info().author() + " since your candidate was taken");
                }
                revisions.add(new Stored(candidate, new RevisionInfo(revisions.size() + 1, Instant.now(),
                        who.user(), who.source(), comment.orElse(""),
                        confirmBy.map(t -> "pending confirmation until " + t).orElse("running"))));
                base = revisions.size();
                calls.add("commit " + base + " " + comment.orElse(""));
                return new CommitResult(base, confirmBy, "");
            }
        }

        @Override
        public String confirm() {
            calls.add("confirm");
            return "revision " + base + " confirmed";
        }

        @Override
        public void rollback(int revision) throws ConfigException {
            candidate = revision(revision).text();
            calls.add("rollback " + revision);
        }

        @Override
        public void discard() {
            candidate = revisions.get(base - 1).text();
            calls.add("discard");
        }

        @Override
        public List<String> completions(List<String> path) {
            if (path.isEmpty()) {
                return List.of("rules", "services", "sets", "default");
            }
            if (path.equals(List.of("rules"))) {
                return List.of("web", "admin");
            }
            return List.of();
        }

        @Override
        public boolean modified() {
            return !candidate.equals(revisions.get(base - 1).text());
        }

        @Override
        public void close() {
            calls.add("close " + who.user());
        }
    }
}
