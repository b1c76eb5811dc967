package dev.portcullis.image;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-image software ...}: the slots of the appliance this runs on, the same operations the console's
 * {@code show system software} and {@code request system software add} perform through {@link SoftwareManager}.
 */
@Command(name = "software", mixinStandardHelpOptions = true,
        description = "Show and change the software in the A/B slots of this appliance.",
        subcommands = {SoftwareCommand.Show.class, SoftwareCommand.Add.class, SoftwareCommand.AssessBoot.class})
final class SoftwareCommand {

    /** Where the slots are; the defaults are the appliance's. */
    static final class Where {
        @Option(names = "--esp", paramLabel = "DIR", description = "The ESP (default: ${DEFAULT-VALUE}).")
        Path esp = SystemLayout.APPLIANCE_ESP;

        @Option(names = "--slot-a", paramLabel = "DEV", description = "Slot A (default: ${DEFAULT-VALUE}).")
        Path slotA = Path.of("/dev/disk/by-partlabel", Slot.A.partitionLabel());

        @Option(names = "--slot-b", paramLabel = "DEV", description = "Slot B (default: ${DEFAULT-VALUE}).")
        Path slotB = Path.of("/dev/disk/by-partlabel", Slot.B.partitionLabel());

        @Option(names = "--cmdline", paramLabel = "FILE", description = "The kernel command line naming the "
                + "running slot (default: ${DEFAULT-VALUE}).")
        Path cmdline = Path.of("/proc/cmdline");

        @Option(names = "--key", paramLabel = "PUB", description = "The trusted public key (default: "
                + "${DEFAULT-VALUE}).")
        Path key = Path.of("/", RootfsOverlay.PUBLIC_KEY);

        SoftwareManager manager() throws IOException {
            String line = java.nio.file.Files.exists(cmdline) ? java.nio.file.Files.readString(cmdline) : "";
            SystemLayout layout = new SystemLayout(new EspLayout(esp), Map.of(Slot.A, slotA, Slot.B, slotB),
                    KernelCommandLine.slot(line), SystemLayout.DEFAULT_KERNEL_OPTIONS, BundleSpec.TARGET_X86_64_EFI);
            VerifyingKey trusted;
            try {
                trusted = VerifyingKey.read(key);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ImageFailure(ImageMain.EXIT_FAILED, key + ": no trusted public key");
            } catch (KeyFileException e) {
                throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
            }
            return new SoftwareManager(layout, trusted, Reboot.systemctl());
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Both slots: version, state, which runs.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Where where;

        @Override
        public Integer call() throws IOException {
            spec.commandLine().getOut().print(SoftwareTable.format(where.manager().slots()));
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Verify BUNDLE and install it into the slot not running, to be tried once at the next boot.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Where where;

        @Parameters(paramLabel = "BUNDLE")
        Path bundle;

        @Option(names = "--force", description = "Install an older version, or while the running slot is on trial.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try {
                SoftwareManager.Installed i = where.manager().add(bundle, force, new ConsoleProgress(
                        spec.commandLine().getErr(), System.console() != null));
                out.println("installed " + i.manifest().version() + " into slot " + i.slot().id()
                        + "; it is tried once at the next boot (request system reboot)");
                return 0;
            } catch (BundleException | InstallException e) {
                throw new ImageFailure(ImageMain.EXIT_REFUSED, e.getMessage());
            }
        }
    }

    @Command(name = "assess-boot", mixinStandardHelpOptions = true,
            description = "If the running slot is on trial: mark it good once the appliance is healthy, else mark it "
                    + "bad (and reboot with --reboot-if-bad, so the other slot starts).")
    static final class AssessBoot implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Where where;

        @Option(names = "--config", paramLabel = "DIR", required = true, description = "The appliance's "
                + "configuration directory.")
        Path config;

        @Option(names = "--console", paramLabel = "HOST:PORT", description = "Where the SSH console must answer.")
        String console;

        @Option(names = "--unit", paramLabel = "UNIT", description = "systemd unit that must be active "
                + "(default: ${DEFAULT-VALUE}; empty to skip).")
        String unit = "portcullis.service";

        @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for health, e.g. 180s "
                + "(default: ${DEFAULT-VALUE}).")
        String timeout = "180s";

        @Option(names = "--reboot-if-bad", description = "Reboot after marking the slot bad.")
        boolean reboot;

        @Override
        public Integer call() throws IOException {
            Optional<InetSocketAddress> c = Optional.ofNullable(console).map(s -> {
                int colon = s.lastIndexOf(':');
                if (colon < 0) {
                    throw new ImageFailure(ImageMain.EXIT_FAILED, "--console '" + s + "' is not HOST:PORT");
                }
                return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
            });
            Duration limit;
            try {
                limit = Duration.parse("PT" + timeout.toUpperCase(java.util.Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new ImageFailure(ImageMain.EXIT_FAILED, "--timeout '" + timeout + "' is not a duration like "
                        + "180s or 3m");
            }
            SoftwareManager m = where.manager();
            HealthCheck check = new ApplianceHealthCheck(config, c, unit.isBlank() ? Optional.empty()
                    : Optional.of(unit), Duration.ofSeconds(2));
            SoftwareManager.Assessment a;
            try {
                a = m.assessBoot(check, limit, Duration.ofSeconds(2));
            } catch (InstallException e) {
                throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("slot " + a.slot().id() + ": " + a.outcome().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + (a.problems().isEmpty() ? "" : ": " + String.join("; ", a.problems())));
            out.flush();
            if (a.outcome() == SoftwareManager.Assessment.Outcome.MARKED_BAD) {
                if (reboot) {
                    m.reboot();
                }
                return ImageMain.EXIT_REFUSED;
            }
            return 0;
        }
    }
}
