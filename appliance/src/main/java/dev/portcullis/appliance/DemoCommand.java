package dev.portcullis.appliance;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis demo}: runs the appliance on its embedded demo configuration (configs/demo), with small demo
 * pods on loopback standing in for the cluster, and prints what to try.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the appliance on its embedded demo configuration, with demo pods on loopback.")
final class DemoCommand implements Callable<Integer> {

    static final String[] FILES = {"appliance.yaml", "policy.yaml"};

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("portcullis-demo");
        for (String name : FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + name)) {
                if (in == null) {
                    throw new CommandFailure(Main.EXIT_UNREADABLE, "the demo file " + name + " is missing from the build");
                }
                Files.copy(in, dir.resolve(name));
            }
        }
        ApplianceConfig cfg = RunCommand.readConfig(dir, spec.commandLine().getErr());
        RunCommand.logTo(cfg);
        var policy = PolicyLoader.check(cfg.policy()).policy().orElseThrow(
                () -> new CommandFailure(1, "the demo policy is invalid"));
        try (DemoPods pods = DemoPods.start(policy)) {
            String banner = """
                    Portcullis demo: configuration in %s, decision log in %s/decisions.log
                    Demo pods answer on 127.77.x.y behind the edge. Try, in another terminal:
                      curl http://127.0.0.1:8080/                          admitted: a web pod answers (round-robin)
                      curl http://127.0.0.1:8443/                          denied: admin is only for 127.0.0.2 (reset)
                      curl --interface 127.0.0.2 http://127.0.0.1:8443/    admitted: the admin pod answers
                      echo hello | nc -u -w1 127.0.0.1 8053                admitted UDP: the echo pod answers (netcat)
                      ./portcullis policy test %s --from 127.0.0.3 --to 127.0.0.1:8443
                      curl http://127.0.0.1:9464/metrics                   the Prometheus metrics
                      snmpwalk -v2c -c public 127.0.0.1:1161 .1.3.6.1.4.1.32473    PORTCULLIS-MIB over SNMP
                    Edit %s and send SIGHUP to reload it; Ctrl-C drains and stops.
                    """.formatted(dir, cfg.logging().directory(), cfg.policy(), cfg.policy());
            return RunCommand.runUntilSignalled(cfg, spec.commandLine().getOut(), banner);
        }
    }
}
