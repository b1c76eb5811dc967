package dev.portcullis.mgmt.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One operator's configuration mode: a candidate policy taken from the running revision, edited, checked, compared
 * and committed.
 *
 * <pre>{@code
 * ConfigSession s = service.openSession(new Operator("alice", "198.51.100.7:50022"), aliceUploads);
 * s.set("rules.partners", "{source: [$partners], destination: [service:api], action: accept}");
 * CheckResult c = s.check();
 * CompareResult diff = s.compare();
 * CommitResult done = s.commit("partners may reach the api");
 * }</pre>
 *
 * Every method either does all it says or throws a {@link ConfigException} and changes nothing. The candidate is
 * the session's own until committed; {@code rollback N} and {@code load FILE} replace it whole (then
 * {@code commit} makes it the running policy, as in Junos). A commit is refused when someone else committed since
 * the candidate was taken; {@code discard} takes a fresh candidate from the running revision.
 *
 * <p>Not thread-safe: one session belongs to one console session's thread.
 */
public final class ConfigSession {

    /** Largest file {@code load} reads: as large as a policy may be (64 Mi characters of ASCII). */
    static final long MAX_LOAD_BYTES = 64L * 1024 * 1024;
    /** Longest commit comment. */
    static final int MAX_COMMENT = 1024;

    private final ConfigService service;
    private final Operator operator;
    private final Path uploadArea;

    private Revision base;
    private String baseText;
    private PolicyDocument candidate;
    /** The revision a {@code rollback} loaded, for the default commit comment; cleared by other changes. */
    private OptionalInt rolledBackTo = OptionalInt.empty();

    ConfigSession(ConfigService service, Operator operator, Path uploadArea, Revision base, String baseText) {
        this.service = service;
        this.operator = operator;
        this.uploadArea = uploadArea;
        this.base = base;
        this.baseText = baseText;
        this.candidate = new PolicyDocument(baseText);
    }

    public Operator operator() {
        return operator;
    }

    /** The revision the candidate was taken from; a commit needs it to be still the running one. */
    public Revision base() {
        return base;
    }

    /** The candidate's text: {@code show candidate}. */
    public String candidateText() {
        return candidate.text();
    }

    /** Whether the candidate differs from the revision it was taken from. */
    public boolean modified() {
        return !candidate.text().equals(baseText);
    }

    /**
     * {@code load FILE}: replaces the candidate with a policy file from the upload area. {@code FILE} is relative to
     * the upload area; a leading {@code /} means the area's root, as SFTP shows it.
     *
     * @throws ConfigException BAD_FILE when the path leaves the area (also through a link), or the file is missing,
     *                         not a regular file, larger than {@value #MAX_LOAD_BYTES} bytes or not UTF-8 text
     */
    public LoadResult load(String file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Path area;
        try {
            area = uploadArea.toRealPath();
        } catch (IOException e) {
            throw badFile(file, "the upload area " + uploadArea + " is not available (" + e.getMessage() + ")");
        }
        String relative = file.strip();
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        if (relative.isEmpty()) {
            throw badFile(file, "a file name is needed");
        }
        Path target;
        try {
            target = area.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw badFile(file, "not a valid file name (" + e.getReason() + ")");
        }
        if (!target.startsWith(area) || target.equals(area)) {
            throw badFile(file, "it leads out of the upload area");
        }
        Path real;
        try {
            real = target.toRealPath();
        } catch (NoSuchFileException e) {
            throw badFile(file, "no such file in the upload area");
        } catch (IOException e) {
            throw badFile(file, e.getMessage());
        }
        if (!real.startsWith(area)) {
            throw badFile(file, "it is a link that leads out of the upload area");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw badFile(file, "not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Channels.newInputStream(Files.newByteChannel(real, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            bytes = in.readNBytes((int) MAX_LOAD_BYTES + 1);
        } catch (IOException e) {
            throw badFile(file, "cannot be read (" + e.getMessage() + ")");
        }
        if (bytes.length > MAX_LOAD_BYTES) {
            throw badFile(file, "larger than " + MAX_LOAD_BYTES + " bytes");
        }
        String text;
        try {
            text = RevisionFile.utf8(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw badFile(file, "not UTF-8 text");
        }
        candidate = new PolicyDocument(text);
        rolledBackTo = OptionalInt.empty();
        int lines = UnifiedDiff.lines(text).length;
        return new LoadResult("loaded " + area.relativize(real) + " (" + lines + " lines) into the candidate", lines);
    }

    private static ConfigException badFile(String file, String why) {
        return new ConfigException(ConfigException.Kind.BAD_FILE, "load " + file + ": " + why);
    }

    /**
     * {@code set PATH VALUE}: see {@link PolicyPath} for paths; {@code VALUE} is a YAML scalar or flow collection.
     */
    public EditResult set(String path, String value) throws ConfigException {
        PolicyDocument.Edited e = candidate.set(PolicyPath.parse(path), PolicyDocument.value(value));
        return edited(e);
    }

    /** {@code delete PATH}. */
    public EditResult delete(String path) throws ConfigException {
        return edited(candidate.delete(PolicyPath.parse(path)));
    }

    private EditResult edited(PolicyDocument.Edited e) {
        candidate = e.document();
        rolledBackTo = OptionalInt.empty();
        return new EditResult(e.description(), e.layoutKept());
    }

    /** {@code check}: the full policy check of the candidate. */
    public CheckResult check() {
        PolicyLoader.PolicyCheck c = PolicyLoader.check(PolicyDocument.SOURCE, candidate.text());
        return new CheckResult(c.valid(), c.errors(), c.warnings(), c.diagnostics());
    }

    /** {@code compare}: the candidate against the running revision, with the verdict diff. */
    public CompareResult compare() throws ConfigException {
        return compare(service.running().number());
    }

    /**
     * {@code compare revision N}: the candidate against revision {@code N}, with the verdict diff between them.
     *
     * @throws ConfigException NO_SUCH_REVISION when there is no revision N
     */
    public CompareResult compare(int revision) throws ConfigException {
        Revision against = service.history().stream().filter(r -> r.number() == revision).findFirst()
                .orElseThrow(() -> new ConfigException(ConfigException.Kind.NO_SUCH_REVISION, "no revision "
                        + revision + kept()));
        String old = service.text(revision);
        String diff = UnifiedDiff.diff("revision " + revision, old, PolicyDocument.SOURCE, candidate.text(), 3);
        PolicyLoader.PolicyCheck c = PolicyLoader.check(PolicyDocument.SOURCE, candidate.text());
        CheckResult check = new CheckResult(c.valid(), c.errors(), c.warnings(), c.diagnostics());
        Optional<VerdictDiffReport> verdicts = Optional.empty();
        if (c.compiled().isPresent()) {
            Optional<CompiledPolicy> before = service.compiled(against);
            if (before.isPresent()) {
                verdicts = Optional.of(VerdictDiff.compare(before.get(), c.compiled().get(),
                        service.recentFlows().recentFlows()));
            }
        }
        return new CompareResult(against, diff, check, verdicts);
    }

    /**
     * The verdict diff alone, against the running policy.
     *
     * @throws ConfigException INVALID_CANDIDATE when the candidate is not a valid policy
     */
    public VerdictDiffReport verdictDiff() throws ConfigException {
        PolicyLoader.PolicyCheck c = PolicyLoader.check(PolicyDocument.SOURCE, candidate.text());
        if (c.compiled().isEmpty()) {
            throw new ConfigException(ConfigException.Kind.INVALID_CANDIDATE, "the candidate is not a valid policy ("
                    + c.errors() + " errors)", c.diagnostics());
        }
        return VerdictDiff.compare(service.runningPolicy(), c.compiled().get(), service.recentFlows().recentFlows());
    }

    /** {@code commit [comment TEXT]}: see {@link ConfigService} for what a commit checks and does. */
    public CommitResult commit(String comment) throws ConfigException {
        return committed(service.commit(this, candidate.text(), comment(comment), Optional.empty()));
    }

    /**
     * {@code commit confirmed MINUTES}: commits, and brings the revision before back by itself unless
     * {@link #confirm} comes within {@code within}.
     *
     * @throws ConfigException BAD_VALUE when {@code within} is outside 1 minute to 24 hours
     */
    public CommitResult commitConfirmed(Duration within, String comment) throws ConfigException {
        if (within.compareTo(ConfigService.MIN_CONFIRM) < 0 || within.compareTo(ConfigService.MAX_CONFIRM) > 0) {
            throw new ConfigException(ConfigException.Kind.BAD_VALUE, "commit confirmed needs 1 to "
                    + ConfigService.MAX_CONFIRM.toMinutes() + " minutes, not " + within.toMinutes());
        }
        return committed(service.commit(this, candidate.text(), comment(comment), Optional.of(within)));
    }

    private CommitResult committed(CommitResult r) {
        base = r.revision();
        baseText = candidate.text();
        rolledBackTo = OptionalInt.empty();
        return r;
    }

    private String comment(String comment) throws ConfigException {
        String c = comment == null ? "" : comment.strip();
        if (c.length() > MAX_COMMENT) {
            throw new ConfigException(ConfigException.Kind.BAD_VALUE, "a commit comment has at most " + MAX_COMMENT
                    + " characters, not " + c.length());
        }
        if (c.isEmpty() && rolledBackTo.isPresent()) {
            return "rollback to revision " + rolledBackTo.getAsInt();
        }
        return c;
    }

    /** {@code confirm}: keeps the pending {@code commit confirmed}. */
    public Revision confirm() throws ConfigException {
        return service.confirm(operator);
    }

    /**
     * {@code rollback N}: replaces the candidate with revision {@code N}'s policy; {@code commit} makes it
     * running.
     */
    public LoadResult rollback(int revision) throws ConfigException {
        if (service.history().stream().noneMatch(r -> r.number() == revision)) {
            throw new ConfigException(ConfigException.Kind.NO_SUCH_REVISION, "no revision " + revision + kept());
        }
        String text = service.text(revision);
        candidate = new PolicyDocument(text);
        rolledBackTo = OptionalInt.of(revision);
        int lines = UnifiedDiff.lines(text).length;
        return new LoadResult("loaded revision " + revision + " (" + lines + " lines) into the candidate; commit "
                + "to make it the running policy", lines);
    }

    /** {@code discard}: drops the candidate's changes and takes a fresh one from the running revision. */
    public void discard() throws ConfigException {
        Revision r = service.running();
        String text = service.text(r.number());
        base = r;
        baseText = text;
        candidate = new PolicyDocument(text);
        rolledBackTo = OptionalInt.empty();
    }

    private String kept() {
        var h = service.history();
        return h.isEmpty() ? "" : " (kept: " + h.getLast().number() + " to " + h.getFirst().number() + ")";
    }
}
