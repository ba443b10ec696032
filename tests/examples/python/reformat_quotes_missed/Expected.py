import logging

log = logging.getLogger("shop")


def greet(name):
    log.info("greeting %s", name)
    return "Hello, " + name


<<<<<<< ours
def farewell(name: str) -> str:
    log.info("farewell %s", name)
    return "Goodbye, " + name
||||||| base
def farewell(name):
    log.info('farewell %s', name)
    return 'Goodbye, ' + name
=======
def thank(name):
    log.info('thanks %s', name)
    return 'Thank you, ' + name


def farewell(name):
    log.info('farewell %s', name)
    return 'Goodbye, ' + name
>>>>>>> theirs
