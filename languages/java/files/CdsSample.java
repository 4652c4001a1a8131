// Compiled once when the image is built, to record javac's classes in a class-data-sharing
// archive (see the Dockerfile). Typical McEval code: collections, streams, generics, lambdas.
import java.util.*;
import java.util.stream.*;

class CdsSample {
    record Point(int x, int y) {}

    static Optional<List<Point>> closest(List<Point> points) {
        List<List<Point>> pairs = new ArrayList<>();
        for (int i = 0; i < points.size(); i++)
            for (int j = i + 1; j < points.size(); j++)
                pairs.add(Arrays.asList(points.get(i), points.get(j)));
        return pairs.stream().min(Comparator.comparingInt(
            p -> Math.abs(p.get(0).x() - p.get(1).x()) + Math.abs(p.get(0).y() - p.get(1).y())));
    }

    public static void main(String[] args) {
        Map<String, Integer> counts = new HashMap<>();
        for (String w : "b a c a".split(" ")) counts.merge(w, 1, Integer::sum);
        String joined = counts.keySet().stream().sorted().collect(Collectors.joining(","));
        assert closest(List.of(new Point(0, 0), new Point(5, 5))).isPresent();
        System.out.println(joined.toUpperCase() + String.format("%d", counts.get("a")));
    }
}
