from tests.statements import recorded_statements

def test_probe(app, client, users, post_factory):
    for n in range(5):
        post_factory(users["author"], title=f"P{n}")
    client.login(users["admin"].email)
    for url in ["/admin/"]:
        with recorded_statements(app) as statements:
            r = client.get(url)
        print("\n=====", url, r.status_code, len(statements))
        for s in statements:
            print("  --", s[:3000].replace("\n", " "))
