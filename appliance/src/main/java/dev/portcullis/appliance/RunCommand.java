package dev.portcullis.appliance;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfigReader;
import dev.portcullis.policy.PolicyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code portcullis run --config DIR}: runs the appliance daemon. SIGHUP reloads the policy (an invalid one is
 * refused and the running one stays); SIGTERM and SIGINT drain connections, then stop.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the appliance on DIR/appliance.yaml and the policy it names.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by a signal", "1:invalid configuration or policy", "2:could not start"})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "DIR", description = "The configuration directory.")
    Path config;

    @Override
    public Integer call() {
        ApplianceConfig cfg = readConfig(config, spec.commandLine().getErr());
        logTo(cfg);
        return runUntilSignalled(cfg, spec.commandLine().getOut(), null);
    }

    /**
     * Points logging at the configured directory. Must run before the first logger is made: the logging
     * configuration reads the property once, when it starts.
     */
    static void logTo(ApplianceConfig cfg) {
        System.setProperty("portcullis.logdir", cfg.logging().directory().toString());
    }

    static ApplianceConfig readConfig(Path dir, PrintWriter err) {
        try {
            return ApplianceConfigReader.read(dir);
        } catch (PolicyException e) {
            err.println(e.report());
            throw new CommandFailure(1, dir.resolve(ApplianceConfigReader.FILE_NAME) + ": invalid configuration");
        } catch (IOException e) {
            throw new CommandFailure(Main.EXIT_UNREADABLE, e.getMessage());
        }
    }

    /** Starts the appliance, prints {@code banner} if any, and blocks until SIGTERM or SIGINT. */
    static int runUntilSignalled(ApplianceConfig cfg, PrintWriter out, String banner) {
        Appliance appliance;
        try {
            appliance = Appliance.start(cfg);
        } catch (Appliance.StartFailure e) {
            throw new CommandFailure(e.getMessage().contains("invalid policy") ? 1 : Main.EXIT_UNREADABLE,
                    e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler before =
                Signal.handle(new Signal("HUP"), s -> Thread.ofPlatform().name("reload").start(appliance::reload));
        String hupIgnored = null;
        if (before == SignalHandler.SIG_IGN) {
            // The JVM installs no handler for a signal the process was started with ignored (nohup does that).
            hupIgnored = "portcullis: SIGHUP is ignored by this process (started under nohup?), so it will not reload"
                    + " the policy; start it without nohup (or with env --default-signal=HUP), or reload from the"
                    + " console";
            LoggerFactory.getLogger(RunCommand.class).warn("runUntilSignalled: {}", hupIgnored);
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("stop").unstarted(() -> {
            appliance.stop();
            stopped.countDown();
        }));
        if (banner != null) {
            out.println(banner);
        }
        out.println("portcullis: running on " + appliance.dataPlane().listeners() + " (pid "
                + ProcessHandle.current().pid() + "); " + (hupIgnored == null ? "SIGHUP reloads the policy, " : "")
                + "SIGTERM stops");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
