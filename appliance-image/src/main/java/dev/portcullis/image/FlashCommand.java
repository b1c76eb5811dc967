package dev.portcullis.image;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis-image flash IMAGE --target DEVICE_OR_FILE}. */
@Command(name = "flash", mixinStandardHelpOptions = true,
        description = "Write a disk image to a device or file, then read it back and compare SHA-256. Refuses a "
                + "mounted or held device and the disk this system booted from; asks before writing a device.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written and verified", "1:refused, not confirmed, or read back differently",
            "2:could not run"})
final class FlashCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE")
    Path image;

    @Option(names = "--target", required = true, paramLabel = "DEVICE_OR_FILE")
    Path target;

    @Option(names = "--yes", description = "Write a block device without asking.")
    boolean yes;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Flasher.Confirmation ask = question -> {
            java.io.Console c = System.console();
            if (c == null) {
                spec.commandLine().getErr().println("portcullis-image: no terminal to ask on; pass --yes to write "
                        + target);
                return false;
            }
            String answer = c.readLine("%s Type yes to go on: ", question);
            return answer != null && answer.strip().equals("yes");
        };
        try {
            Flasher.Result r = new Flasher(TargetCheck.system(), ask).flash(image, target, yes,
                    new ConsoleProgress(spec.commandLine().getErr(), System.console() != null));
            out.println("flashed " + r.bytes() + " bytes to " + r.target() + ", read back SHA-256 " + r.sha256());
            return 0;
        } catch (FlashException e) {
            throw new ImageFailure(ImageMain.EXIT_REFUSED, e.getMessage());
        }
    }
}
