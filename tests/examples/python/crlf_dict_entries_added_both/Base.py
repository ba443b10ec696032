ROUTES = {
    "/": "home",
    "/login": "auth.login",
    "/logout": "auth.logout",
}


def resolve(path: str) -> str:
    return ROUTES.get(path, "errors.not_found")
