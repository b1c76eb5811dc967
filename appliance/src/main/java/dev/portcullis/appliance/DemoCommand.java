package dev.portcullis.appliance;

import dev.portcullis.mgmt.ssh.UserKeys;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis demo}: runs the appliance on its embedded demo configuration (configs/demo), with small demo
 * pods on loopback standing in for the cluster and a console user {@code demo} whose key is made at start, and
 * prints what to try.
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
        Path key = addDemoUser(dir);
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
                    The console (user demo, role admin; try ?, TAB, 'show rules hits', 'show connections'):
                      ssh -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s/known_hosts -p %d demo@%s
                      ssh -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s/known_hosts -p %d demo@%s 'show services | json'
                    Edit %s and send SIGHUP to reload it; Ctrl-C drains and stops.
                    """.formatted(dir, cfg.logging().directory(), cfg.policy(), key, dir, sshPort(cfg),
                    cfg.managementAddress().map(Object::toString).orElse("127.0.0.1"), key, dir, sshPort(cfg),
                    cfg.managementAddress().map(Object::toString).orElse("127.0.0.1"), cfg.policy());
            return RunCommand.runUntilSignalled(cfg, spec.commandLine().getOut(), banner);
        }
    }

    /**
     * Adds the demo's console user to {@code dir/appliance.yaml}: user {@code demo}, role admin, with an Ed25519
     * key made now; its private half is {@code dir/demo_ed25519} (mode 0600). Returns that file.
     */
    static Path addDemoUser(Path dir) throws IOException {
        Path key = dir.resolve("demo_ed25519");
        String publicKey = UserKeys.createEd25519(key, "demo@portcullis-demo");
        Files.writeString(dir.resolve("appliance.yaml"), "users:\n  - {name: demo, role: admin, keys: [\""
                + publicKey + "\"]}\n", StandardOpenOption.APPEND);
        return key;
    }

    private static int sshPort(ApplianceConfig cfg) {
        return cfg.ssh().map(ApplianceConfig.Ssh::port).orElse(ApplianceConfig.Ssh.DEFAULT_PORT);
    }
}
