import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Starts a compiled JVM program without knowing its main class in advance.
 *
 * <p>Usage: {@code java -cp .:<this dir> SandboxMain SOURCE_FILE [ARGS...]}. Among the classes
 * compiled into the working directory, the ones with {@code public static void main(String[])}
 * are candidates; the one declared first in SOURCE_FILE wins (McEval runs Java through the
 * single-file launcher, which also starts the first class). An exception thrown by that main
 * propagates unchanged, so the JVM reports it and exits with status 1 as usual.
 *
 * <p>A suite's template may declare {@code class SandboxPassMarker} with a static String
 * {@code LINE}: that line is printed once main has returned, so a program that ends itself
 * early (System.exit(0) before the tests finish) never prints it.
 */
public final class SandboxMain {
    private static final Pattern DECLARATION =
        Pattern.compile("\\b(?:class|object|interface|enum|record)\\s+([A-Za-z_$][\\w$]*)");

    private SandboxMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: SandboxMain SOURCE_FILE [ARGS...]");
            System.exit(2);
        }
        List<Class<?>> candidates = findMainClasses(Paths.get("."));
        Class<?> chosen = choose(candidates, declaredNames(Paths.get(args[0])));
        if (chosen == null) {
            System.err.println("error: no class with public static void main(String[]) found");
            System.exit(1);
        }
        Method main = chosen.getMethod("main", String[].class);
        main.setAccessible(true);
        String[] programArgs = new String[args.length - 1];
        System.arraycopy(args, 1, programArgs, 0, programArgs.length);
        try {
            main.invoke(null, (Object) programArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        printPassMarker();
    }

    private static void printPassMarker() throws ReflectiveOperationException {
        Class<?> marker;
        try {
            marker = Class.forName("SandboxPassMarker", true, SandboxMain.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return; // a plain program: no marker declared
        }
        Field line = marker.getDeclaredField("LINE");
        line.setAccessible(true);
        System.out.println(line.get(null));
        System.out.flush();
    }

    private static List<String> declaredNames(Path source) {
        List<String> names = new ArrayList<>();
        try {
            String text = new String(Files.readAllBytes(source), StandardCharsets.UTF_8);
            Matcher m = DECLARATION.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        } catch (IOException e) {
            // No source to order by: fall back to the class names' order.
        }
        return names;
    }

    private static Class<?> choose(List<Class<?>> candidates, List<String> declared) {
        for (String name : declared) {
            for (Class<?> c : candidates) {
                if (c.getSimpleName().equals(name) || c.getName().equals(name)) {
                    return c;
                }
            }
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private static List<Class<?>> findMainClasses(Path root) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 8)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String rel = root.relativize(p).toString();
                names.add(rel.substring(0, rel.length() - ".class".length()).replace('/', '.'));
            });
        }
        Collections.sort(names);
        List<Class<?>> found = new ArrayList<>();
        ClassLoader loader = SandboxMain.class.getClassLoader();
        for (String name : names) {
            try {
                Class<?> c = Class.forName(name, false, loader);
                Method m = c.getDeclaredMethod("main", String[].class);
                int mod = m.getModifiers();
                if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && m.getReturnType() == void.class) {
                    found.add(c);
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                // Not a loadable class with a main method: not a candidate.
            }
        }
        return found;
    }
}
