from ozondesk.ui.pdf_export import save_pdf, table_html
def test_pdf(qtbot, tmp_path):
    p = tmp_path / "r.pdf"
    save_pdf(str(p), "Отчёт 报告", table_html(["a", "b"], [[1, "<x>"], ["王芳", "Анна"]]))
    data = p.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 1000
