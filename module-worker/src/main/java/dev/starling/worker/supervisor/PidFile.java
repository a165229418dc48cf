package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The manager's {@code --pid-file}: written once the manager runs, removed when it stops. */
final class PidFile {

    private static final System.Logger LOG = System.getLogger(PidFile.class.getName());

    private PidFile() {
    }

    static void write(Optional<Path> file, long pid) throws IOException {
        if (file.isPresent()) {
            Files.writeString(file.get(), pid + "\n");
        }
    }

    /** Removes the file; a failure is logged, since the manager is stopping anyway. */
    static void delete(Optional<Path> file, long pid) {
        file.ifPresent(f -> {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.log(WARNING, () -> "manager pid " + pid + ": cannot remove pid file " + f + ": " + e);
            }
        });
    }
}
