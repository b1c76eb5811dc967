package dev.portcullis.policy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads, checks and compiles a policy file.
 *
 * <pre>{@code
 * PolicyCheck check = PolicyLoader.check("edge.yaml", Files.readString(path));
 * check.diagnostics().forEach(d -> System.err.println(d.format()));
 * Policy policy = check.policy().orElseThrow();
 * }</pre>
 *
 * Thread-safe: every call works on its own state.
 */
public final class PolicyLoader {

    private PolicyLoader() {
    }

    /**
     * The outcome of a check: the policy when there was no error, and the diagnostics in source order (at most
     * about a thousand are kept; {@code errors} and {@code warnings} count them all).
     */
    public record PolicyCheck(Optional<CompiledPolicy> compiled, List<Diagnostic> diagnostics, int errors,
                              int warnings) {
        public PolicyCheck {
            diagnostics = List.copyOf(diagnostics);
        }

        /** The policy, with its warnings, when it has no error. */
        public Optional<Policy> policy() {
            return compiled.map(CompiledPolicy::policy);
        }

        public boolean valid() {
            return compiled.isPresent();
        }
    }

    /** Checks a policy's text; {@code source} names it in every location. */
    public static PolicyCheck check(String source, String text) {
        return check(source, new StringReader(text));
    }

    /** Checks a policy read from {@code reader}; {@code source} names it in every location. */
    public static PolicyCheck check(String source, Reader reader) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<CompiledPolicy> compiled = new YamlTreeReader(source, diagnostics).read(reader)
                .flatMap(root -> new PolicyReader(source, diagnostics).read(root))
                .map(CompiledPolicy::compile);
        compiled.ifPresent(c -> ShadowAnalysis.warn(c, diagnostics));
        List<Diagnostic> all = diagnostics.sorted();
        List<Diagnostic> warnings = all.stream().filter(d -> !d.isError()).toList();
        return new PolicyCheck(compiled.map(c -> c.withPolicy(withWarnings(c.policy(), warnings))), all,
                diagnostics.errorCount(), diagnostics.warningCount());
    }

    /**
     * Reads a policy file as strict UTF-8 and checks it.
     *
     * @throws IOException when the file cannot be read or is not UTF-8 text
     */
    public static PolicyCheck check(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return check(file.toString(), text);
    }

    /**
     * Reads, checks and compiles a policy.
     *
     * @throws PolicyException carrying every diagnostic when the policy has errors
     */
    public static CompiledPolicy compile(String source, String text) throws PolicyException {
        PolicyCheck check = check(source, text);
        if (check.compiled().isEmpty()) {
            throw new PolicyException(check.diagnostics());
        }
        return check.compiled().get();
    }

    /**
     * Reads and checks a policy; the policy when it is valid.
     *
     * @throws PolicyException carrying every diagnostic when the policy has errors
     */
    public static Policy load(String source, String text) throws PolicyException {
        return compile(source, text).policy();
    }

    private static Policy withWarnings(Policy p, List<Diagnostic> warnings) {
        return new Policy(p.source(), p.version(), p.cluster(), p.sets(), p.services(), p.rules(),
                p.defaultAction(), warnings);
    }
}
