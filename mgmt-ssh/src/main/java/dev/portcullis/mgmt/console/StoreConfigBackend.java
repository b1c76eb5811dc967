package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.config.ConfigService;
import dev.portcullis.mgmt.config.ConfigSession;
import dev.portcullis.mgmt.config.LoadResult;
import dev.portcullis.mgmt.config.PendingConfirm;
import dev.portcullis.mgmt.config.VerdictDiffReport;
import dev.portcullis.mgmt.config.VerdictTransition;
import dev.portcullis.policy.Diagnostic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Configuration mode over the configuration store: the console's {@link ConfigBackend} implemented by the
 * {@link ConfigService}, one {@link ConfigSession} per operator in configuration mode.
 *
 * <pre>
 * ConfigBackend backend = new StoreConfigBackend(service, console::uploadArea);
 * </pre>
 *
 * <p>Threading: the service is thread-safe; each session is used by its operator's console thread only.
 */
public final class StoreConfigBackend implements ConfigBackend {

    private final ConfigService service;
    private final Function<String, Path> uploadArea;

    /**
     * @param uploadArea the upload area of a user, by name (where {@code load} reads files from)
     */
    public StoreConfigBackend(ConfigService service, Function<String, Path> uploadArea) {
        this.service = Objects.requireNonNull(service, "service");
        this.uploadArea = Objects.requireNonNull(uploadArea, "uploadArea");
    }

    @Override
    public Revision running() {
        dev.portcullis.mgmt.config.Revision r = service.running();
        try {
            return new Revision(r.number(), service.text(r.number()));
        } catch (dev.portcullis.mgmt.config.ConfigException e) {
            throw new IllegalStateException("running: revision " + r.number() + " cannot be read: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public Revision revision(int number) throws ConfigException {
        return new Revision(number, call(() -> service.text(number)));
    }

    @Override
    public List<RevisionInfo> history() {
        Optional<PendingConfirm> pending = service.pendingConfirm();
        int running = service.running().number();
        List<RevisionInfo> out = new ArrayList<>();
        for (dev.portcullis.mgmt.config.Revision r : service.history()) {
            out.add(new RevisionInfo(r.number(), r.time(), r.author(), r.source(), r.comment(),
                    state(r, running, pending)));
        }
        return out;
    }

    private static String state(dev.portcullis.mgmt.config.Revision r, int running,
                                Optional<PendingConfirm> pending) {
        StringBuilder s = new StringBuilder(r.number() == running ? "running" : "");
        if (pending.isPresent() && pending.get().revision().number() == r.number()) {
            s.append(s.isEmpty() ? "" : ", ").append("unconfirmed until ").append(pending.get().deadline());
        }
        if (r.origin() != dev.portcullis.mgmt.config.Revision.Origin.COMMIT) {
            s.append(s.isEmpty() ? "" : ", ").append(r.origin().word());
        }
        return s.toString();
    }

    @Override
    public Session open(Operator who) throws ConfigException {
        dev.portcullis.mgmt.config.Operator operator = new dev.portcullis.mgmt.config.Operator(who.user(),
                who.source());
        Path area = uploadArea.apply(who.user());
        ConfigSession session = call(() -> service.openSession(operator, area));
        return new StoreSession(service, operator, session, area.toAbsolutePath().normalize());
    }

    /** One operator's candidate. */
    private static final class StoreSession implements Session {

        private final ConfigService service;
        private final dev.portcullis.mgmt.config.Operator operator;
        private final ConfigSession session;
        private final Path area;

        StoreSession(ConfigService service, dev.portcullis.mgmt.config.Operator operator, ConfigSession session,
                     Path area) {
            this.service = service;
            this.operator = operator;
            this.session = session;
            this.area = area;
        }

        /** The console resolved {@code file} inside the upload area; the store takes it relative to the area. */
        @Override
        public void load(Path file) throws ConfigException {
            Path f = file.toAbsolutePath().normalize();
            String relative = f.startsWith(area) ? area.relativize(f).toString() : file.toString();
            LoadResult r = call(() -> session.load(relative));
            Objects.requireNonNull(r, "load");
        }

        @Override
        public void set(List<String> path, String value) throws ConfigException {
            call(() -> session.set(path, value));
        }

        @Override
        public void delete(List<String> path) throws ConfigException {
            call(() -> session.delete(path));
        }

        @Override
        public String candidate() {
            return session.candidateText();
        }

        @Override
        public Comparison compare(OptionalInt revision) throws ConfigException {
            dev.portcullis.mgmt.config.CompareResult c = call(() -> revision.isPresent()
                    ? session.compare(revision.getAsInt()) : session.compare());
            List<VerdictChange_> changes = new ArrayList<>();
            int sampled = 0;
            if (c.verdicts().isPresent()) {
                VerdictDiffReport v = c.verdicts().get();
                sampled = (int) Math.min(Integer.MAX_VALUE, v.sampled() + v.recentSampled());
                for (VerdictTransition t : v.transitions()) {
                    changes.add(new VerdictChange_(t.example().flow().toString(), t.before(), t.after(),
                            t.samples() + (t.samples() == 1 ? " flow class" : " flow classes")
                                    + (v.exhaustive() ? " (every class checked)" : " (rule corners sampled)")));
                }
                for (dev.portcullis.mgmt.config.VerdictChange r : v.recentChanges()) {
                    changes.add(new VerdictChange_(r.flow().toString(),
                            dev.portcullis.mgmt.config.VerdictChange.label(r.before()),
                            dev.portcullis.mgmt.config.VerdictChange.label(r.after()), "a recent real flow"));
                }
            }
            String text = c.diff().isEmpty()
                    ? "The candidate's text is the same as revision " + c.against().number() + ".\n" : c.diff();
            if (c.verdicts().isEmpty()) {
                text += c.check().valid()
                        ? "No verdict diff: revision " + c.against().number() + " is not a valid policy now.\n"
                        : "No verdict diff: the candidate has errors (see check).\n";
            } else if (!c.verdicts().get().changes()) {
                text += c.verdicts().get().format();
            }
            return new Comparison(c.against().number(), text, changes.stream()
                    .map(x -> new ConfigBackend.VerdictChange(x.flow, x.before, x.after, x.origin)).toList(),
                    sampled);
        }

        /** A verdict change before it becomes the console's record (the names clash with the store's). */
        private record VerdictChange_(String flow, String before, String after, String origin) {
        }

        @Override
        public CheckResult check() {
            dev.portcullis.mgmt.config.CheckResult c = session.check();
            return new CheckResult(c.valid(), c.diagnostics().stream().map(Diagnostic::format).toList());
        }

        @Override
        public ConfigBackend.CommitResult commit(Optional<String> comment) throws ConfigException {
            return result(call(() -> session.commit(comment.orElse(""))));
        }

        @Override
        public ConfigBackend.CommitResult commitConfirmed(Duration within, Optional<String> comment)
                throws ConfigException {
            return result(call(() -> session.commitConfirmed(within, comment.orElse(""))));
        }

        private static ConfigBackend.CommitResult result(dev.portcullis.mgmt.config.CommitResult r) {
            StringBuilder message = new StringBuilder("revision ").append(r.revision().number())
                    .append(" committed and running: ").append(r.reload());
            for (Diagnostic w : r.warnings()) {
                message.append('\n').append(w.format());
            }
            r.pending().ifPresent(p -> message.append("\nunless confirmed by ").append(p.deadline())
                    .append(", revision ").append(p.rollbackTo()).append(" comes back by itself"));
            return new ConfigBackend.CommitResult(r.revision().number(), r.pending().map(PendingConfirm::deadline),
                    message.toString());
        }

        @Override
        public String confirm() throws ConfigException {
            dev.portcullis.mgmt.config.Revision r = call(session::confirm);
            return "revision " + r.number() + " confirmed";
        }

        @Override
        public void rollback(int revision) throws ConfigException {
            call(() -> session.rollback(revision));
        }

        @Override
        public void discard() {
            try {
                session.discard();
            } catch (dev.portcullis.mgmt.config.ConfigException e) {
                throw new IllegalStateException("discard: " + e.getMessage(), e);
            }
        }

        @Override
        public List<String> completions(List<String> path) {
            return session.completions(path);
        }

        @Override
        public boolean modified() {
            return session.modified();
        }

        @Override
        public void close() {
            // A session holds no resources in the store: its candidate is dropped with it.
        }

        @Override
        public String toString() {
            return "configuration session of " + operator + " on " + service.running().number();
        }
    }

    /** A store call whose failure becomes the console's exception, with the diagnostics as detail lines. */
    private interface StoreCall<T> {
        T run() throws dev.portcullis.mgmt.config.ConfigException;
    }

    private static <T> T call(StoreCall<T> c) throws ConfigException {
        try {
            return c.run();
        } catch (dev.portcullis.mgmt.config.ConfigException e) {
            throw new ConfigException(e.getMessage(), e.diagnostics().stream().map(Diagnostic::format).toList());
        }
    }
}
