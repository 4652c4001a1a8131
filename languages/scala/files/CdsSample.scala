// Compiled once when the image is built, to record the compiler's classes in a class-data-sharing
// archive (see the Dockerfile). Typical McEval code: collections, strings, pattern matching.
object CdsSample {
  case class Point(x: Int, y: Int)

  def closest(points: List[Point]): Option[(Point, Point)] =
    points.combinations(2).map { case List(a, b) => (a, b) }.toList
      .sortBy { case (a, b) => math.abs(a.x - b.x) + math.abs(a.y - b.y) }.headOption

  def main(args: Array[String]): Unit = {
    val words = "b a c".split(" ").sorted.mkString(",")
    val counts = words.groupBy(identity).map { case (c, s) => c -> s.length }
    assert(closest(List(Point(0, 0), Point(5, 5), Point(1, 1))).contains((Point(0, 0), Point(1, 1))))
    println(words.toUpperCase + counts.values.sum + scala.collection.mutable.ArrayBuffer(1, 2).sum)
  }
}
