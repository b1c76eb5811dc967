package dev.portcullis.mgmt.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the console needs from the configuration store: the running policy and its revisions for operational mode
 * ({@code show config}, {@code show history}), and a {@link Session} per operator in configuration mode. The
 * console parses, completes, role-checks and audits every command before it calls here; an implementation only
 * does the work and says, with a {@link ConfigException}, why it cannot.
 *
 * <p>Threading: called from many console sessions at once; an implementation is thread-safe. A {@link Session} is
 * used by its one console session only.
 */
public interface ConfigBackend {

    /** The running policy: its revision number and its text. */
    Revision running();

    /**
     * A stored revision's policy.
     *
     * @throws ConfigException when there is no such revision (the message says which exist)
     */
    Revision revision(int number) throws ConfigException;

    /** The stored revisions, newest first. */
    List<RevisionInfo> history();

    /**
     * Enters configuration mode: a candidate taken from the running revision, for {@code who}.
     *
     * @throws ConfigException when configuration mode cannot be entered
     */
    Session open(Operator who) throws ConfigException;

    /** Who is at the console: the user and the address they came from. */
    record Operator(String user, String source) {
        public Operator {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(source, "source");
        }
    }

    /** One revision's policy text. */
    record Revision(int number, String text) {
        public Revision {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * One stored revision, for {@code show history}.
     *
     * @param state {@code running}, {@code pending confirmation until TIME}, {@code rolled back}, or empty
     */
    record RevisionInfo(int number, Instant time, String author, String source, String comment, String state) {
        public RevisionInfo {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(comment, "comment");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * {@code compare}: the policy text diff, and the verdict diff: sample flows whose verdict differs.
     *
     * @param against the revision compared with the candidate
     * @param textDiff a unified diff of the policy text, empty when equal
     * @param flowsSampled how many flows were tried for the verdict diff
     */
    record Comparison(int against, String textDiff, List<VerdictChange> verdictChanges, int flowsSampled) {
        public Comparison {
            Objects.requireNonNull(textDiff, "textDiff");
            verdictChanges = List.copyOf(verdictChanges);
        }
    }

    /**
     * A flow whose verdict changes: for example flow {@code tcp 198.51.100.7:40000 -> 203.0.113.10:443},
     * before {@code accept (rule 2 'web')}, after {@code drop (default)}, from {@code recent decision}.
     */
    record VerdictChange(String flow, String before, String after, String origin) {
    }

    /** {@code check}: whether the candidate is a valid policy, and every diagnostic as {@code file:line:col: ...}. */
    record CheckResult(boolean valid, List<String> diagnostics) {
        public CheckResult {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    /**
     * A commit's outcome.
     *
     * @param revision the new running revision
     * @param confirmBy for {@code commit confirmed}: when it rolls back unless confirmed
     * @param message what to tell the operator, for example the data plane's reload report
     */
    record CommitResult(int revision, Optional<Instant> confirmBy, String message) {
        public CommitResult {
            Objects.requireNonNull(confirmBy, "confirmBy");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * One operator's configuration mode. Every method that changes the candidate changes only the candidate;
     * nothing reaches the data plane before a commit.
     */
    interface Session extends AutoCloseable {

        /**
         * {@code load FILE}: replaces the candidate with a policy file from the operator's upload area. The console
         * has resolved {@code file} inside that area and checked it is a regular file.
         */
        void load(java.nio.file.Path file) throws ConfigException;

        /** {@code set PATH VALUE}: sets one value of the policy tree, such as {@code rules web action reject}. */
        void set(List<String> path, String value) throws ConfigException;

        /** {@code delete PATH}: removes one node of the policy tree. */
        void delete(List<String> path) throws ConfigException;

        /** {@code show candidate}: the candidate policy's text. */
        String candidate();

        /** {@code compare [revision N]}: the candidate against the running revision, or revision N. */
        Comparison compare(OptionalInt revision) throws ConfigException;

        /** {@code check}: the full policy check of the candidate. */
        CheckResult check();

        /** {@code commit [comment TEXT]}: checks, stores and applies the candidate. */
        CommitResult commit(Optional<String> comment) throws ConfigException;

        /** {@code commit confirmed N [comment TEXT]}: as commit, rolled back unless confirmed within {@code within}. */
        CommitResult commitConfirmed(Duration within, Optional<String> comment) throws ConfigException;

        /** {@code confirm}: keeps a revision committed with {@code commit confirmed}. Returns what to tell. */
        String confirm() throws ConfigException;

        /** {@code rollback N}: replaces the candidate with revision N (a commit then applies it). */
        void rollback(int revision) throws ConfigException;

        /** {@code discard}: the candidate goes back to the revision it was taken from. */
        void discard();

        /**
         * Words that may follow {@code path} in the candidate's policy tree, for tab completion of {@code set} and
         * {@code delete} (for example the rule names under {@code rules}). Empty when there is nothing to offer.
         */
        List<String> completions(List<String> path);

        /** Whether the candidate differs from the revision it was taken from. */
        boolean modified();

        /** {@code exit}: leaves configuration mode; an uncommitted candidate is dropped. */
        @Override
        void close();
    }
}
