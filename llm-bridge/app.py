import os
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
