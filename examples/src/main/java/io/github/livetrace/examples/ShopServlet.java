package io.github.livetrace.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.TreeSet;

/**
 * The shop's HTTP API: {@code GET /menu}, and {@code GET /order?drink=latte&name=Ann} (GET, so
 * that a plain curl or browser can order).
 */
final class ShopServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient Barista barista;

  ShopServlet(Barista barista) {
    this.barista = barista;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain; charset=utf-8");
    String path = req.getServletPath();
    if (path.equals("/menu")) {
      resp.getWriter().println(String.join("\n", new TreeSet<>(Barista.MENU.keySet())));
      return;
    }
    String drink = req.getParameter("drink") == null ? "latte" : req.getParameter("drink");
    String name = req.getParameter("name") == null ? "guest" : req.getParameter("name");
    if (!Barista.MENU.containsKey(drink)) {
      resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      resp.getWriter().println("no " + drink + " here; GET /menu lists the drinks");
      return;
    }
    resp.getWriter().println(barista.order(drink, name));
  }
}
