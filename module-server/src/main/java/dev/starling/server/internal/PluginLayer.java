package dev.starling.server.internal;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The plugins folder ({@code --plugins DIR}) as one module layer on top of a parent layer (the
 * boot layer): every {@code .jar} in the folder, modular or plain (a plain jar becomes an
 * automatic module, providing what its {@code META-INF/services} lists), and every exploded
 * module folder (one holding {@code module-info.class}) is resolved together and defined with
 * one class loader. Entries whose name starts with {@code .} are ignored, so a jar can be
 * copied in under a hidden name and then renamed over the old one. Anything else in the folder
 * is refused, as is a module the parent layer already has, a module in two entries, and a
 * {@code requires} that neither the folder nor the parent layer satisfies.
 *
 * <p>Each worker process builds the layer afresh when it starts, so a reload (SIGHUP) serves
 * whatever the folder holds then; the manager builds it once before it starts any worker, to
 * refuse a folder that cannot load.
 */
public final class PluginLayer {

    private PluginLayer() {
    }

    /**
     * Resolves and defines the modules of {@code folder} on top of {@code parent}.
     *
     * @throws PluginException naming the folder, the entry and module at fault and what is
     *         wrong: not a folder, an entry that is not a jar or module, a duplicate module, a
     *         missing required module, or a failure to resolve or define the modules
     */
    public static ModuleLayer load(Path folder, ModuleLayer parent) throws PluginException {
        Map<String, Path> entryOf = new LinkedHashMap<>();
        List<ModuleDescriptor> descriptors = new ArrayList<>();
        for (Path entry : entries(folder)) {
            ModuleDescriptor descriptor = read(folder, entry).descriptor();
            String name = descriptor.name();
            Path other = entryOf.putIfAbsent(name, entry);
            if (other != null) {
                throw new PluginException(where(folder) + "module " + name + " is in both " + other.getFileName() + " and "
                        + entry.getFileName() + "; keep one");
            }
            if (parent.findModule(name).isPresent()) {
                throw new PluginException(where(folder) + entry.getFileName() + " holds module " + name
                        + ", which the server already has on its module path; remove it from the folder"
                        + " (a plugin compiles against the Starling API, the server supplies it)");
            }
            descriptors.add(descriptor);
        }
        for (ModuleDescriptor descriptor : descriptors) {
            checkRequires(folder, descriptor, entryOf, parent);
        }
        ModuleFinder finder = ModuleFinder.of(entryOf.values().toArray(Path[]::new));
        Configuration configuration;
        try {
            configuration = parent.configuration().resolve(finder, ModuleFinder.of(), entryOf.keySet());
        } catch (FindException | ResolutionException e) {
            throw new PluginException(where(folder) + "cannot resolve modules " + String.join(", ", entryOf.keySet())
                    + ": " + e.getMessage(), e);
        }
        try {
            return parent.defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
        } catch (LayerInstantiationException e) {
            throw new PluginException(where(folder) + "cannot define modules " + String.join(", ", entryOf.keySet())
                    + ": " + e.getMessage(), e);
        }
    }

    /** What the layer holds, for a log line: {@code "com.example.hello (hello.jar), ..."}. */
    public static String describe(ModuleLayer layer) {
        return layer.configuration().modules().stream()
                .sorted(Comparator.comparing(ResolvedModule::name))
                .map(m -> m.name() + m.reference().location()
                        .filter(uri -> "file".equals(uri.getScheme()))
                        .map(uri -> " (" + Path.of(uri).getFileName() + ")").orElse(""))
                .collect(Collectors.joining(", "));
    }

    private static List<Path> entries(Path folder) throws PluginException {
        if (!Files.isDirectory(folder)) {
            throw new PluginException("plugins folder " + folder + " does not exist or is not a folder");
        }
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new PluginException(where(folder) + "cannot list it: " + e, e);
        }
    }

    /** The one module in {@code entry}: a jar (modular or automatic) or an exploded module folder. */
    private static ModuleReference read(Path folder, Path entry) throws PluginException {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)) {
            if (!Files.isRegularFile(entry.resolve("module-info.class"))) {
                throw new PluginException(where(folder) + name + "/ is a folder without module-info.class; the folder holds"
                        + " only jars and exploded modules (names starting with '.' are ignored)");
            }
        } else if (!name.endsWith(".jar") || !Files.isRegularFile(entry)) {
            throw new PluginException(where(folder) + name + " is not a .jar; the folder holds only jars and exploded"
                    + " modules (names starting with '.' are ignored)");
        } else {
            // Opening it first tells "not a jar at all" apart from a jar whose module is malformed.
            try (JarFile jar = new JarFile(entry.toFile())) {
                jar.getManifest();
            } catch (IOException e) {
                throw new PluginException(where(folder) + name + " is not a jar (" + e.getMessage() + ")", e);
            }
        }
        try {
            return ModuleFinder.of(entry).findAll().stream().findFirst().orElseThrow(() ->
                    new PluginException(where(folder) + name + " holds no module"));
        } catch (FindException e) {
            throw new PluginException(where(folder) + name + ": " + causes(e), e);
        }
    }

    private static void checkRequires(Path folder, ModuleDescriptor descriptor, Map<String, Path> entryOf, ModuleLayer parent)
            throws PluginException {
        for (ModuleDescriptor.Requires requires : descriptor.requires()) {
            String needed = requires.name();
            if (requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                    || entryOf.containsKey(needed) || parent.findModule(needed).isPresent()) {
                continue;
            }
            String module = "module " + descriptor.name() + " (" + entryOf.get(descriptor.name()).getFileName() + ") requires "
                    + needed;
            if (ModuleFinder.ofSystem().find(needed).isPresent()) {
                throw new PluginException(where(folder) + module + ", a JDK module the server's JVMs do not load; add"
                        + " '--add-modules " + needed + "' to STARLING_MANAGER_OPTS and STARLING_WORKER_OPTS");
            }
            throw new PluginException(where(folder) + module + ", which is neither in the folder nor on the server's"
                    + " module path; add its jar to the folder");
        }
    }

    private static String where(Path folder) {
        return "plugins folder " + folder + ": ";
    }

    /** A FindException's message with those of its causes, which say what in the jar is wrong. */
    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
