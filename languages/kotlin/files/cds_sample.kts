// Compiled once when the image is built, to record the compiler's classes in a class-data-sharing
// archive (see the Dockerfile). Typical McEval code: collections, strings, lambdas, classes.
data class Point(val x: Int, val y: Int)

fun closest(points: List<Point>): Pair<Point, Point>? {
    var best: Pair<Point, Point>? = null
    var bestD = Int.MAX_VALUE
    for (i in points.indices) for (j in i + 1 until points.size) {
        val d = Math.abs(points[i].x - points[j].x) + Math.abs(points[i].y - points[j].y)
        if (d < bestD) { bestD = d; best = points[i] to points[j] }
    }
    return best
}

fun main() {
    val words = "b a c".split(" ").sorted().joinToString(",")
    val counts = mutableMapOf<Char, Int>()
    words.forEach { counts[it] = (counts[it] ?: 0) + 1 }
    check(closest(listOf(Point(0, 0), Point(5, 5), Point(1, 1))) == Point(0, 0) to Point(1, 1))
    assert(counts.values.sumOf { it } == words.length)
    println(words.uppercase() + (ArrayDeque<Int>().firstOrNull() ?: 0))
}
main()
