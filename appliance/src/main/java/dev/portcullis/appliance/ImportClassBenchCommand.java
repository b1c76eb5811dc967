package dev.portcullis.appliance;

import dev.portcullis.policy.classifier.ClassBenchPolicy;
import dev.portcullis.policy.classifier.ClassBenchRules;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portcullis policy import-classbench RULES}: writes a policy whose rules match exactly what the ClassBench
 * rules match, in the same order: rule N of the policy is line N of the file, so rule numbers agree with a
 * trace's MATCH column. Every rule accepts; the default drops.
 */
@Command(name = "import-classbench", mixinStandardHelpOptions = true,
        description = "Write a policy equivalent to a ClassBench rule file (rule N = line N).")
final class ImportClassBenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RULES", description = "A ClassBench rule file.")
    Path rules;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write here instead of standard output.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<ClassifierRule> boxes;
        try (BufferedReader in = Inputs.open(rules)) {
            boxes = ClassBenchRules.parse(rules.toString(), in);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        if (output == null) {
            write(rules.getFileName().toString(), boxes, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
        } else {
            try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                write(rules.getFileName().toString(), boxes, out);
            }
        }
        return 0;
    }

    static void write(String name, List<ClassifierRule> boxes, Writer out) throws IOException {
        ClassBenchPolicy.write(name, "r", boxes, out);
    }
}
